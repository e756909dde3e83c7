package dev.tern.relay.metrics;

import dev.tern.relay.metrics.DeliveryMetrics.BounceKind;
import dev.tern.relay.queue.Bouncer;
import io.netty.buffer.ByteBuf;
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
    public Optional<Notification> report(Report report, ByteBuf original) {
        Optional<Notification> dsn = delegate.report(report, original);
        dsn.ifPresent(n -> metrics.bounceSent(kindOf(report.kind())));
        return dsn;
    }

    private static BounceKind kindOf(Kind kind) {
        return switch (kind) {
            case FAILURE -> BounceKind.FAILED;
            case DELAY -> BounceKind.DELAYED;
            case SUCCESS -> BounceKind.SUCCESS;
        };
    }
}
