package dev.tern.relay.route;

import dev.tern.relay.client.AttemptResult;
import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.dns.HostSelector;
import dev.tern.relay.dns.MailExchanger;
import dev.tern.relay.dns.MailExchangerResolver;
import dev.tern.relay.dns.MxCandidate;
import dev.tern.relay.dns.MxResolution;
import dev.tern.relay.local.MaildirDelivery;
import dev.tern.relay.queue.Deliverer;
import dev.tern.smtp.EnhancedStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's {@link Deliverer}: follows the {@link Route} that {@link Routing} decided for the domain, to
 * Maildir, to a smarthost or to the mail exchangers. Candidates are tried one after another within the
 * attempt: a refused connection, a 4xx or 5xx greeting or a 421 moves on to the next (RFC 5321 5.1); a
 * transaction that ran gives per-recipient outcomes and ends the attempt.
 */
public final class Router implements Deliverer {
    private static final Logger log = LoggerFactory.getLogger(Router.class);

    private final Routing routing;
    private final MaildirDelivery local;
    private final MailExchangerResolver resolver;
    private final HostSelector selector;
    private final SmtpClient client;

    /**
     * @param routing the decision this router follows, the same the delivery metrics read
     * @param resolver resolves every name: MX targets, implicit MX and smarthosts alike
     */
    public Router(
            Routing routing,
            MaildirDelivery local,
            MailExchangerResolver resolver,
            HostSelector selector,
            SmtpClient client) {
        this.routing = routing;
        this.local = local;
        this.resolver = resolver;
        this.selector = selector;
        this.client = client;
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(String domain, DeliveryRequest request) {
        return switch (routing.of(domain)) {
            case Route.Local local -> this.local.deliver(request);
            case Smarthost smarthost ->
                resolver.resolveHost(smarthost.host())
                        .thenCompose(resolution -> onResolved(
                                resolution, domain, request, found -> toSmarthost(smarthost, found, request)));
            case Route.Mx mx ->
                resolver.resolve(domain)
                        .thenCompose(resolution ->
                                onResolved(resolution, domain, request, found -> toExchangers(domain, found, request)));
        };
    }

    private CompletionStage<List<RecipientOutcome>> toSmarthost(
            Smarthost smarthost, MxResolution.Exchangers found, DeliveryRequest request) {
        List<Candidate> candidates = new ArrayList<>();
        for (MailExchanger host : found.exchangers()) {
            for (InetAddress address : host.addresses()) {
                candidates.add(new Candidate(host.host(), new InetSocketAddress(address, smarthost.port())));
            }
        }
        return tryInTurn(candidates, 0, smarthost.route(), request, null);
    }

    private CompletionStage<List<RecipientOutcome>> toExchangers(
            String domain, MxResolution.Exchangers found, DeliveryRequest request) {
        List<Candidate> candidates = new ArrayList<>();
        for (MxCandidate c : selector.select(domain, found)) {
            candidates.add(new Candidate(c.host(), c.address()));
        }
        return tryInTurn(candidates, 0, ClientRoute.mx(), request, null);
    }

    /** Hosts found go to {@code send}; a failure ends the attempt for every recipient, logged with its server. */
    private CompletionStage<List<RecipientOutcome>> onResolved(
            MxResolution resolution,
            String domain,
            DeliveryRequest request,
            Function<MxResolution.Exchangers, CompletionStage<List<RecipientOutcome>>> send) {
        return switch (resolution) {
            case MxResolution.Exchangers x -> send.apply(x);
            case MxResolution.Failure f -> {
                log.info(
                        "id={} domain={} dns servers={} {}: {}",
                        request.id(),
                        domain,
                        resolver.servers(),
                        f.isTemporary() ? "temporary" : "permanent",
                        f.diagnostic());
                yield CompletableFuture.completedFuture(all(request, f.status(), f.enhancedStatus(), f.diagnostic()));
            }
        };
    }

    /** An address to dial: always resolved here, so the client never resolves a name (nor blocks on one). */
    private record Candidate(String host, InetSocketAddress address) {
        Candidate {
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("the client is given addresses, never names: " + address);
            }
        }
    }

    private CompletionStage<List<RecipientOutcome>> tryInTurn(
            List<Candidate> candidates,
            int index,
            ClientRoute route,
            DeliveryRequest request,
            AttemptResult.HostFailed last) {
        if (index >= candidates.size()) {
            AttemptResult.HostFailed why = last != null
                    ? last
                    : new AttemptResult.HostFailed(
                            DeliveryStatus.TEMPORARY, EnhancedStatus.parse("4.4.4"), "no host to try");
            // Every host failed: the next attempt, later, may find one that works. The last host tried and
            // its reply, if it gave one, are what a report will name (RFC 3464 2.3.5, 2.3.6).
            EnhancedStatus status = temporary(why.enhancedStatus());
            return CompletableFuture.completedFuture(request.recipientIndexes().stream()
                    .map(i -> new RecipientOutcome(
                            i,
                            DeliveryStatus.TEMPORARY,
                            status,
                            why.diagnostic(),
                            why.remoteMta(),
                            why.remoteMta() == null ? null : why.remoteReply(),
                            false))
                    .toList());
        }
        Candidate c = candidates.get(index);
        return client.deliver(c.address(), c.host(), route, request).thenCompose(result -> switch (result) {
            case AttemptResult.Completed done -> CompletableFuture.completedFuture(done.outcomes());
            case AttemptResult.HostFailed failed ->
                tryInTurn(
                        candidates,
                        index + 1,
                        route,
                        request,
                        new AttemptResult.HostFailed(
                                failed.status(),
                                failed.enhancedStatus(),
                                c.host() + " [" + c.address().getAddress().getHostAddress() + "]: "
                                        + failed.diagnostic(),
                                failed.remoteMta() != null ? failed.remoteMta() : c.host(),
                                failed.remoteReply()));
        });
    }

    private static EnhancedStatus temporary(EnhancedStatus status) {
        return status.statusClass() == 4 ? status : new EnhancedStatus(4, status.subject(), status.detail());
    }

    private static List<RecipientOutcome> all(
            DeliveryRequest request, DeliveryStatus status, EnhancedStatus enhanced, String diagnostic) {
        return request.recipientIndexes().stream()
                .map(i -> new RecipientOutcome(i, status, enhanced, diagnostic, null))
                .toList();
    }
}
