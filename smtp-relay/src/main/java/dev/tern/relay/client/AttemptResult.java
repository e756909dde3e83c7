package dev.tern.relay.client;

import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.EnhancedStatus;
import java.util.List;
import java.util.Objects;

/** How one attempt to one host ended. */
public sealed interface AttemptResult {

    /** The transaction ran: an outcome per recipient of the request (in request order). */
    record Completed(List<RecipientOutcome> outcomes) implements AttemptResult {
        public Completed {
            outcomes = List.copyOf(outcomes);
        }
    }

    /**
     * This host could not take the message at all: try the next host (or defer if none). Also used
     * when a transaction broke before the message was sent (421, lost connection, timeout): nothing
     * was delivered, so another host may be tried at once.
     */
    record HostFailed(DeliveryStatus status, EnhancedStatus enhancedStatus, String diagnostic)
            implements AttemptResult {
        public HostFailed {
            Objects.requireNonNull(status, "status");
            Objects.requireNonNull(enhancedStatus, "enhancedStatus");
            Objects.requireNonNull(diagnostic, "diagnostic");
        }

        static HostFailed temporary(String enhanced, String diagnostic) {
            return new HostFailed(DeliveryStatus.TEMPORARY, EnhancedStatus.parse(enhanced), diagnostic);
        }
    }
}
