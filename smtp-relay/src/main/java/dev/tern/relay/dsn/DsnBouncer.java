package dev.tern.relay.dsn;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/** The queue's {@link Bouncer}: RFC 3464 reports written by {@link DsnBuilder}. */
public final class DsnBouncer implements Bouncer {
    private final DsnBuilder builder;

    public DsnBouncer(DsnBuilder builder) {
        this.builder = builder;
    }

    @Override
    public Optional<Notification> failed(
            QueueId id, Envelope envelope, Instant arrival, List<RecipientOutcome> failed, ByteBuf original) {
        return wrap(builder.failure(id, envelope, arrival, failed, original));
    }

    @Override
    public Optional<Notification> delayed(
            QueueId id,
            Envelope envelope,
            Instant arrival,
            List<RecipientOutcome> delayed,
            ByteBuf original,
            Instant retryUntil) {
        return wrap(builder.delay(id, envelope, arrival, delayed, original, retryUntil));
    }

    private static Optional<Notification> wrap(Dsn dsn) {
        return dsn == null
                ? Optional.empty()
                : Optional.of(new Notification(dsn.envelope(), Unpooled.wrappedBuffer(dsn.content())));
    }
}
