package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class SpoolCodecTest {

    private static final QueueId ID = new QueueId("ABC123");

    static Stream<Arguments> envelopes() {
        Mailbox to = new Mailbox("to", "example.net");
        return Stream.of(
                // null reverse-path (a DSN), no parameters
                Arguments.of(new Envelope(
                        ReversePath.NULL, List.of(new RcptTo(to, RcptParameters.NONE)), MailParameters.NONE)),
                // every MAIL parameter, internationalized addresses
                Arguments.of(SpoolFixtures.richEnvelope()),
                // BINARY body, RET=FULL, every NOTIFY but NEVER
                Arguments.of(new Envelope(
                        new ReversePath(new Mailbox("from", "example.com")),
                        List.of(new RcptTo(
                                to,
                                new RcptParameters(
                                        EnumSet.of(
                                                RcptParameters.Notify.SUCCESS,
                                                RcptParameters.Notify.FAILURE,
                                                RcptParameters.Notify.DELAY),
                                        "utf-8;t\\x{4F60}@example.net"))),
                        new MailParameters(
                                0, MailParameters.Body.BINARY_MIME, false, MailParameters.Ret.FULL, null, null))),
                // REQUIRETLS (RFC 8689 4)
                Arguments.of(new Envelope(
                        new ReversePath(new Mailbox("from", "example.com")),
                        List.of(new RcptTo(to, RcptParameters.NONE)),
                        MailParameters.NONE.withRequireTls(true))),
                // TLS-Required: No (RFC 8689 5)
                Arguments.of(new Envelope(
                        new ReversePath(new Mailbox("from", "example.com")),
                        List.of(new RcptTo(to, RcptParameters.NONE)),
                        MailParameters.NONE,
                        true)),
                // empty strings survive as empty, not null
                Arguments.of(new Envelope(
                        new ReversePath(new Mailbox("from", "example.com")),
                        List.of(new RcptTo(to, new RcptParameters(Set.of(), ""))),
                        new MailParameters(-1, MailParameters.Body.SEVEN_BIT, false, null, "", ""))));
    }

    @ParameterizedTest
    @MethodSource("envelopes")
    void messageMetadataRoundTrips(Envelope envelope) {
        ByteBuf buf = Unpooled.buffer();
        try {
            SpoolCodec.writeMessage(buf, ID, 1_700_000_000_123L, envelope);
            SpoolCodec.MessageMeta meta = SpoolCodec.readMessage(buf);
            assertThat(meta).isEqualTo(new SpoolCodec.MessageMeta(ID, 1_700_000_000_123L, envelope));
            assertThat(buf.isReadable()).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void replayedMessagesShareTheirDomainsAndTheirAbsentParameters() {
        Envelope plain = SpoolFixtures.envelope("from@replay.example", "to@replay.example");
        ByteBuf buf = Unpooled.buffer();
        try {
            SpoolCodec.writeMessage(buf, ID, 1L, plain);
            SpoolCodec.writeMessage(buf, ID, 2L, plain);
            Envelope first = SpoolCodec.readMessage(buf).envelope();
            Envelope second = SpoolCodec.readMessage(buf).envelope();
            assertThat(second).isEqualTo(first).isEqualTo(plain);
            // Each read makes new strings; a queue replayed after a restart holds one per domain all the same.
            assertThat(second.reversePath().mailbox().domain())
                    .isSameAs(first.recipients().get(0).mailbox().domain());
            assertThat(second.parameters()).isSameAs(MailParameters.NONE);
            assertThat(second.recipients().get(0).parameters()).isSameAs(RcptParameters.NONE);
        } finally {
            buf.release();
        }
    }

    @Test
    void recordsWrittenBeforeTheFlagsReadAsNoFlag() {
        Envelope flagged = new Envelope(
                new ReversePath(new Mailbox("from", "example.com")),
                List.of(new RcptTo(new Mailbox("to", "example.net"), RcptParameters.NONE)),
                MailParameters.NONE.withRequireTls(true));
        ByteBuf buf = Unpooled.buffer();
        try {
            SpoolCodec.writeMessage(buf, ID, 1L, flagged);
            // An older Tern's record is this one without its last byte, the flags.
            buf.writerIndex(buf.writerIndex() - 1);
            Envelope read = SpoolCodec.readMessage(buf).envelope();
            assertThat(read.parameters().requireTls()).isFalse();
            assertThat(read.tlsOptional()).isFalse();
            assertThat(read.recipients()).isEqualTo(flagged.recipients());
        } finally {
            buf.release();
        }
    }

    @Test
    void refusesUnknownMessageFlags() {
        ByteBuf buf = Unpooled.buffer();
        try {
            SpoolCodec.writeMessage(buf, ID, 1L, SpoolFixtures.richEnvelope());
            buf.setByte(buf.writerIndex() - 1, 0x80);
            assertThatThrownBy(() -> SpoolCodec.readMessage(buf)).hasMessageContaining("flags");
        } finally {
            buf.release();
        }
    }

    static Stream<RecipientState> states() {
        SmtpReply multiLine = new SmtpReply(
                550, EnhancedStatus.parse("5.1.1"), List.of("<bob@example.net>: no such user", "try bob2 instead"));
        SmtpReply noEnhanced = new SmtpReply(451, "greylisted, come back later");
        return Stream.of(
                // before any attempt
                RecipientState.PENDING,
                // delivered to a mailbox here: no reply, no remote host
                RecipientState.delivered(
                        1, LastAttempt.local(1_700_000_000_123L, EnhancedStatus.parse("2.0.0"), "maildir")),
                // refused by a next hop with DSN, in a multi-line reply
                RecipientState.failed(
                        2,
                        new LastAttempt(
                                1_700_000_000_000L,
                                multiLine.status(),
                                multiLine,
                                "mx1.example.net",
                                "550 <bob@example.net>: no such user try bob2 instead",
                                true)),
                // deferred by a reply without an enhanced code, after a delay report went out
                new RecipientState(
                        RecipientState.Kind.DEFERRED,
                        1_700_000_060_000L,
                        7,
                        new LastAttempt(1, EnhancedStatus.parse("4.0.0"), noEnhanced, "mx2.example.net", "", false),
                        Set.of(RecipientState.Notice.DELAY)),
                // delivered to a next hop with DSN, success reported, UTF-8 in the diagnostic
                new RecipientState(
                        RecipientState.Kind.DELIVERED,
                        0,
                        1,
                        new LastAttempt(
                                5,
                                EnhancedStatus.parse("2.6.0"),
                                new SmtpReply(250, "2.6.0", "ok ✓"),
                                "mx",
                                "ok ✓",
                                true),
                        EnumSet.allOf(RecipientState.Notice.class)));
    }

    @ParameterizedTest
    @MethodSource("states")
    void stateRoundTrips(RecipientState state) {
        ByteBuf buf = Unpooled.buffer();
        try {
            StateCodec.write(buf, ID, 3, state);
            assertThat(StateCodec.read(buf, RecordFormat.SEGMENT_VERSION))
                    .isEqualTo(new SpoolCodec.StateMeta(ID, 3, state));
            assertThat(buf.isReadable()).isFalse();
        } finally {
            buf.release();
        }
    }

    @ParameterizedTest(name = "{0} \"{1}\"")
    @CsvSource(
            delimiter = '|',
            nullValues = "null",
            textBlock =
                    """
            # kind    | format 1 detail                               | status | diagnostic                           | reply code | reply status | reply text
            # a remote refusal: the reply comes back typed
            FAILED    | 5.1.1 550 5.1.1 <bob@b.test>: no such user    | 5.1.1  | 550 5.1.1 <bob@b.test>: no such user | 550        | 5.1.1        | <bob@b.test>: no such user
            # the reply as format 1 flattened it (its enhanced code already lifted out)
            FAILED    | 5.1.1 550 <bob@b.test>: no such user          | 5.1.1  | 550 <bob@b.test>: no such user       | 550        | null         | <bob@b.test>: no such user
            # a reason of our own: no reply
            DEFERRED  | 4.4.1 connect failed: Connection refused      | 4.4.1  | connect failed: Connection refused   | null       | null         | null
            DELIVERED | 2.0.0 delivered to maildir bob@local.test     | 2.0.0  | delivered to maildir bob@local.test  | null       | null         | null
            # the queue gave up: our code, the last error in words
            FAILED    | 4.4.7 delivery time expired after 120h; last error: 451 busy | 4.4.7 | delivery time expired after 120h; last error: 451 busy | null | null | null
            # no status in front: the class default, all of it diagnostic
            FAILED    | local error: java.io.IOException              | 5.0.0  | local error: java.io.IOException     | null       | null         | null
            # a status that does not fit the kind is not trusted
            DELIVERED | 5.1.1 odd                                     | 2.0.0  | 5.1.1 odd                            | null       | null         | null
            # nothing written at all
            DEFERRED  | null                                          | 4.0.0  | ''                                   | null       | null         | null
            """)
    void readsFormatOneDetailIntoTypedFields(
            RecipientState.Kind kind,
            String detail,
            String status,
            String diagnostic,
            Integer replyCode,
            String replyStatus,
            String replyText) {
        RecipientState state = FormatOneState.of(kind, kind == RecipientState.Kind.DEFERRED ? 42 : 0, detail);

        assertThat(state.kind()).isEqualTo(kind);
        assertThat(state.attempts()).isEqualTo(1);
        assertThat(state.last().status()).hasToString(status);
        assertThat(state.last().diagnostic()).isEqualTo(diagnostic);
        assertThat(state.last().remoteMta()).isNull();
        assertThat(state.last().atMillis()).isZero();
        SmtpReply expected = replyCode == null
                ? null
                : new SmtpReply(
                        replyCode, replyStatus == null ? null : EnhancedStatus.parse(replyStatus), List.of(replyText));
        assertThat(state.last().reply()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void holdRoundTrips(boolean held) {
        ByteBuf buf = Unpooled.buffer();
        try {
            StateCodec.writeHold(buf, ID, held);
            assertThat(StateCodec.readHold(buf)).isEqualTo(new StateCodec.HoldMeta(ID, held));
            assertThat(buf.isReadable()).isFalse();
        } finally {
            buf.release();
        }
    }

    @Test
    void refusesAHoldFlagOtherThanZeroOrOne() {
        ByteBuf buf = Unpooled.buffer();
        try {
            SpoolCodec.writeString(buf, ID.value());
            buf.writeByte(2);
            assertThatThrownBy(() -> StateCodec.readHold(buf)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void formatOnePendingStaysPending() {
        assertThat(FormatOneState.of(RecipientState.Kind.PENDING, 0, null)).isEqualTo(RecipientState.PENDING);
    }

    @Test
    void refusesAStringLongerThanWhatIsLeft() {
        ByteBuf buf = Unpooled.buffer().writeInt(100).writeByte('x');
        try {
            assertThatThrownBy(() -> SpoolCodec.readString(buf)).isInstanceOf(IllegalArgumentException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void queueIdsStayUniqueAndSortedWithinAMillisecondAndWhenTheClockGoesBack() {
        AtomicLong now = new AtomicLong(1_700_000_000_000L);
        QueueIdGenerator ids = new QueueIdGenerator(now::get, RandomGenerator.of("L64X128MixRandom"));
        List<String> values = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) { // more than the 46,656 a millisecond holds
            values.add(ids.next().value());
        }
        now.addAndGet(-5_000);
        values.add(ids.next().value());
        assertThat(values).doesNotHaveDuplicates().isSorted();
        assertThat(values).allMatch(v -> v.length() == 16 && v.matches("[0-9A-Z]+"));
    }
}
