package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.queue.QueueId;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A segment written by Tern before typed recipient states (segment format 1, committed as it was
 * written): three messages, one of them done, with delivered, failed, deferred and pending recipients.
 * Replay reads it into typed states; nothing is appended to it.
 */
class FormatOneSegmentTest {
    static final String SEGMENT = "segment-0000000000000001.log";
    static final QueueId MIXED = new QueueId("0MX87YIP400012D8");
    static final QueueId DONE = new QueueId("0MX87YIQ900012D8");
    static final QueueId FINISHED = new QueueId("0MX87YIQB00012D8");

    @TempDir
    Path dir;

    @BeforeEach
    void copyFixture() throws IOException {
        try (InputStream in = FormatOneSegmentTest.class.getResourceAsStream("v1/" + SEGMENT)) {
            Files.copy(in, dir.resolve(SEGMENT));
        }
    }

    @Test
    void newRecordsGoToANewSegmentOfTheCurrentFormat() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            SpoolFixtures.join(spool.recordState(MIXED, 3, SpoolFixtures.delivered("maildir")));
            SpoolFixtures.join(spool.recordDone(FINISHED));
        }
        assertThat(dir.resolve("segment-0000000000000002.log")).exists();
        try (InputStream in = Files.newInputStream(dir.resolve(SEGMENT))) {
            assertThat(in.readAllBytes()).as("the old segment is only read").hasSize(1219);
        }
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.pending()).extracting(SpooledMessage::id).containsExactly(MIXED);
            assertThat(spool.find(MIXED).orElseThrow().states().get(3)).isEqualTo(SpoolFixtures.delivered("maildir"));
        }
    }

    @Test
    void replaysMessagesAndTheirRecipientStates() throws Exception {
        try (Spool spool = Spool.open(dir, SpoolOptions.defaults())) {
            assertThat(spool.pending()).extracting(SpooledMessage::id).containsExactly(MIXED, FINISHED);
            SpooledMessage mixed = spool.find(MIXED).orElseThrow();
            assertThat(mixed.envelope().parameters().ret()).isEqualTo(MailParameters.Ret.FULL);
            assertThat(mixed.envelope().recipients().get(0).parameters().notifyOn())
                    .isEqualTo(Set.of(RcptParameters.Notify.SUCCESS));
            assertThat(mixed.states())
                    .extracting(RecipientState::kind)
                    .containsExactly(
                            RecipientState.Kind.DELIVERED,
                            RecipientState.Kind.FAILED,
                            RecipientState.Kind.DEFERRED,
                            RecipientState.Kind.PENDING);
            // The refusal comes back as typed fields: status, the reply, the diagnostic.
            LastAttempt refused = mixed.states().get(1).last();
            assertThat(refused.status()).isEqualTo(EnhancedStatus.parse("5.1.1"));
            assertThat(refused.reply()).isEqualTo(new SmtpReply(550, "5.1.1", "<failed@b.test>: no such user"));
            assertThat(refused.remoteMta()).as("format 1 did not keep it").isNull();
            assertThat(mixed.states().get(2).nextAttemptMillis()).isEqualTo(1_800_000_000_000L);
            assertThat(mixed.states().get(2).last().diagnostic()).isEqualTo("connect failed: Connection refused");
            assertThat(mixed.states().get(2).last().reply()).isNull();
            assertThat(SpoolFixtures.readText(spool, mixed)).isEqualTo("Subject: old a\r\n\r\nbody a\r\n");
            assertThat(spool.find(FINISHED).orElseThrow().states())
                    .extracting(RecipientState::kind)
                    .isEqualTo(List.of(RecipientState.Kind.DELIVERED, RecipientState.Kind.FAILED));
        }
    }
}
