package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.spool.Spool;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A message the operator holds is never attempted, even after a restart, and keeps its place. */
class HeldMessagesTest {
    static final Instant START = Instant.parse("2030-01-01T00:00:00Z");

    @RegisterExtension
    final QueueFixture fixture = new QueueFixture(START);

    private final ManualQueueExecutor loop = fixture.loop;

    @Test
    void aMessageHeldBeforeARestartIsNotAttemptedAfterIt() throws Exception {
        Spool spool = fixture.spool();
        QueueId held = spool.enqueue(envelope("r@b.test"), content())
                .toCompletableFuture()
                .get();
        QueueId free = spool.enqueue(envelope("r@c.test"), content())
                .toCompletableFuture()
                .get();
        spool.recordHold(held, true).toCompletableFuture().get();
        spool.close();

        Spool reopened = fixture.spool();
        fixture.scheduler(reopened, DeliverySchedulerTest.POLICY, fixture.delivering());
        loop.runUntil(() -> reopened.find(free).isEmpty());
        loop.advance(Duration.ofHours(2));

        assertThat(fixture.requests).extracting(r -> r.id()).containsExactly(free);
        assertThat(reopened.find(held)).as("still spooled").hasValueSatisfying(m -> assertThat(m.held())
                .isTrue());
        assertThat(fixture.reports).as("no expiry report while held").isEmpty();
    }

    static Envelope envelope(String to) {
        int at = to.indexOf('@');
        return new Envelope(
                new ReversePath(new Mailbox("s", "a.test")),
                List.of(new RcptTo(new Mailbox(to.substring(0, at), to.substring(at + 1)), RcptParameters.NONE)),
                MailParameters.NONE);
    }

    static io.netty.buffer.ByteBuf content() {
        return Unpooled.copiedBuffer("Subject: t\r\n\r\nbody\r\n", StandardCharsets.US_ASCII);
    }
}
