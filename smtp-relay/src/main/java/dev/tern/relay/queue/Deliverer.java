package dev.tern.relay.queue;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Carries out one attempt for recipients that share a destination domain: local mailbox, smarthost or
 * mail exchangers. Returns one outcome per requested recipient; never throws (a failure is an outcome).
 */
@FunctionalInterface
public interface Deliverer {
    CompletionStage<List<RecipientOutcome>> deliver(String domain, DeliveryRequest request);
}
