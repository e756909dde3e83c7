package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The content of a new message goes from acceptance to its first attempt in memory, and only there. */
class KeptContentTest {
    static final RetryPolicy POLICY =
            new RetryPolicy(Duration.ofMinutes(1), Duration.ofMinutes(8), Duration.ofHours(1), Duration.ZERO);
    private static final String MESSAGE = "Subject: kept\r\n\r\nbody\r\n";

    @RegisterExtension
    final QueueFixture fixture = new QueueFixture(Instant.parse("2030-01-01T00:00:00Z"));

    /** Each attempt's content: its octets, and whether it is the very buffer accepted (not a spool read). */
    private record Seen(String text, boolean accepted) {}

    private final List<Seen> seen = new CopyOnWriteArrayList<>();

    @Test
    void theFirstAttemptTakesTheAcceptedContentAndARetryReadsTheSpool() throws Exception {
        Spool spool = fixture.spool();
        ByteBuf content = Unpooled.copiedBuffer(MESSAGE, StandardCharsets.US_ASCII);
        byte[] accepted = content.array();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, (domain, r) -> {
            seen.add(seen(r, accepted));
            return seen.size() == 1 ? QueueFixture.all(r, QueueFixture::busy) : QueueFixture.all(r, QueueFixture::ok);
        });

        enqueue(queue, content);
        fixture.loop.runUntil(() -> seen.size() == 1 && queue.keptContentBytes() == 0);
        fixture.loop.advance(Duration.ofMinutes(2));
        fixture.loop.runUntil(() -> spool.pending().isEmpty());

        assertThat(seen).containsExactly(new Seen(MESSAGE, true), new Seen(MESSAGE, false));
        // The spool's reference and the kept one are both gone: nothing leaks.
        assertThat(content.refCnt()).isZero();
        assertThat(queue.keptContentBytes()).isZero();
    }

    @Test
    void aMessageThatIsNotTriedAtOnceLetsItsContentGo() throws Exception {
        Spool spool = fixture.spool();
        DeliveryScheduler queue = fixture.scheduler(spool, POLICY, (domain, r) -> {
            seen.add(seen(r, null));
            return QueueFixture.all(r, QueueFixture::ok);
        });
        CompletableFuture<?> suspended = queue.destinations()
                .suspend("b.test", Optional.of(Duration.ofMinutes(10)), "maintenance")
                .toCompletableFuture();
        fixture.loop.runUntil(suspended::isDone);
        ByteBuf content = Unpooled.copiedBuffer(MESSAGE, StandardCharsets.US_ASCII);

        QueueId id = enqueue(queue, content);
        fixture.loop.runUntil(() -> queue.message(id) != null && content.refCnt() == 0);

        // Parked for the suspension: the kept copy is released, and the spool keeps the message.
        assertThat(queue.keptContentBytes()).isZero();
        assertThat(seen).isEmpty();
        assertThat(spool.find(id)).isPresent();
    }

    @Test
    void keepsNoMoreThanItsBound() {
        KeptContent kept = new KeptContent(10);
        ByteBuf six = Unpooled.copiedBuffer("123456", StandardCharsets.US_ASCII);

        ByteBuf first = kept.keep(six);
        ByteBuf second = kept.keep(six);

        assertThat(first).isNotNull();
        assertThat(second).isNull();
        assertThat(kept.bytes()).isEqualTo(6);
        assertThat(six.refCnt()).isEqualTo(2);
        kept.drop(first);
        assertThat(kept.bytes()).isZero();
        assertThat(six.refCnt()).isEqualTo(1);
        six.release();
    }

    private static Seen seen(DeliveryRequest r, byte[] accepted) {
        ByteBuf c = r.content();
        return new Seen(c.toString(StandardCharsets.US_ASCII), c.hasArray() && c.array() == accepted);
    }

    private QueueId enqueue(DeliveryScheduler queue, ByteBuf content) throws Exception {
        Envelope envelope = new Envelope(
                new ReversePath(new Mailbox("s", "a.test")),
                List.of(new RcptTo(new Mailbox("r", "b.test"), RcptParameters.NONE)),
                MailParameters.NONE);
        CompletableFuture<QueueId> id = queue.enqueue(envelope, content).toCompletableFuture();
        fixture.loop.runUntil(id::isDone);
        return id.get();
    }
}
