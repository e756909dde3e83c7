package dev.tern.relay.route;

import dev.tern.relay.client.AttemptResult;
import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.queue.Deliverer;
import dev.tern.relay.tls.MessageTls;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * Every message to one host, whatever its recipients' domains: what a drain hands the queue over with.
 * The message's envelope goes as spooled (MAIL and RCPT parameters, as to any next hop); a message that
 * requires TLS (REQUIRETLS) gets verified STARTTLS whatever {@code route} says. A failed host is a
 * temporary outcome for each recipient.
 */
public final class Handover implements Deliverer {
    private final SmtpClient client;
    private final InetSocketAddress address;
    private final String host;
    private final ClientRoute route;

    public Handover(SmtpClient client, InetSocketAddress address, String host, ClientRoute route) {
        this.client = client;
        this.address = address;
        this.host = host;
        this.route = route;
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(String domain, DeliveryRequest request) {
        ClientRoute effective = MessageTls.of(route, request.envelope());
        return client.deliver(address, host, effective, request).thenApply(result -> switch (result) {
            case AttemptResult.Completed done -> done.outcomes();
            case AttemptResult.HostFailed failed ->
                request.recipientIndexes().stream()
                        .map(i -> new RecipientOutcome(
                                i,
                                failed.status(),
                                failed.enhancedStatus(),
                                failed.diagnostic(),
                                failed.remoteMta(),
                                failed.remoteMta() == null ? null : failed.remoteReply(),
                                false))
                        .toList();
        });
    }
}
