package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
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
import org.junit.jupiter.params.provider.MethodSource;

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

    static Stream<RecipientState> states() {
        return Stream.of(
                RecipientState.PENDING, // before any attempt
                RecipientState.delivered("250 2.0.0 ok"), // done
                RecipientState.failed("550 5.1.1 no such user"), // done, DSN due
                RecipientState.deferred(1_700_000_060_000L, null)); // retry later, no diagnostic
    }

    @ParameterizedTest
    @MethodSource("states")
    void stateRoundTrips(RecipientState state) {
        ByteBuf buf = Unpooled.buffer();
        try {
            SpoolCodec.writeState(buf, ID, 3, state);
            assertThat(SpoolCodec.readState(buf)).isEqualTo(new SpoolCodec.StateMeta(ID, 3, state));
        } finally {
            buf.release();
        }
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
