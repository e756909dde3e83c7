package dev.tern.relay.metrics;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.metrics.DeliveryMetrics.BounceKind;
import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/** Counts the delivery status notifications the wrapped {@link Bouncer} builds. */
public final class MeteredBouncer implements Bouncer {
    private final Bouncer delegate;
    private final DeliveryMetrics metrics;

    public MeteredBouncer(Bouncer delegate, DeliveryMetrics metrics) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public Optional<Notification> failed(
            QueueId id, Envelope envelope, Instant arrival, List<RecipientOutcome> failed, ByteBuf original) {
        Optional<Notification> dsn = delegate.failed(id, envelope, arrival, failed, original);
        dsn.ifPresent(n -> metrics.bounceSent(BounceKind.FAILED));
        return dsn;
    }

    @Override
    public Optional<Notification> delayed(
            QueueId id,
            Envelope envelope,
            Instant arrival,
            List<RecipientOutcome> delayed,
            ByteBuf original,
            Instant retryUntil) {
        Optional<Notification> dsn = delegate.delayed(id, envelope, arrival, delayed, original, retryUntil);
        dsn.ifPresent(n -> metrics.bounceSent(BounceKind.DELAYED));
        return dsn;
    }
}
