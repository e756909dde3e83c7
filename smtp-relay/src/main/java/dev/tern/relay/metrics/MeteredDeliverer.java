package dev.tern.relay.metrics;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.metrics.DeliveryMetrics.Kind;
import dev.tern.relay.metrics.DeliveryMetrics.Outcome;
import dev.tern.relay.queue.Deliverer;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Times every attempt of the wrapped {@link Deliverer} and counts its recipients by outcome. A
 * temporary outcome counts as deferred here, even when the queue then gives up because the message
 * is too old: that expiry shows as a bounce.
 */
public final class MeteredDeliverer implements Deliverer {
    private final Deliverer delegate;
    private final Function<String, Kind> kindOf;
    private final DeliveryMetrics metrics;

    /** @param kindOf the destination kind of a recipient domain (the router's own rule) */
    public MeteredDeliverer(Deliverer delegate, Function<String, Kind> kindOf, DeliveryMetrics metrics) {
        this.delegate = Objects.requireNonNull(delegate, "delegate");
        this.kindOf = Objects.requireNonNull(kindOf, "kindOf");
        this.metrics = Objects.requireNonNull(metrics, "metrics");
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(String domain, DeliveryRequest request) {
        Kind kind = kindOf.apply(domain);
        long started = System.nanoTime();
        return delegate.deliver(domain, request).whenComplete((outcomes, failure) -> {
            metrics.attempt(kind, System.nanoTime() - started);
            if (outcomes == null) {
                // No outcome at all: the queue treats every recipient as temporarily failed.
                metrics.recipients(
                        kind, Outcome.DEFERRED, request.recipientIndexes().size());
                return;
            }
            int delivered = 0;
            int deferred = 0;
            int failed = 0;
            for (RecipientOutcome o : outcomes) {
                switch (o.status()) {
                    case DELIVERED -> delivered++;
                    case TEMPORARY -> deferred++;
                    case PERMANENT -> failed++;
                }
            }
            count(kind, Outcome.DELIVERED, delivered);
            count(kind, Outcome.DEFERRED, deferred);
            count(kind, Outcome.FAILED, failed);
        });
    }

    private void count(Kind kind, Outcome outcome, int n) {
        if (n > 0) {
            metrics.recipients(kind, outcome, n);
        }
    }
}
