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
import dev.tern.relay.metrics.DeliveryMetrics.TlsPolicyOutcome;
import dev.tern.relay.queue.Deliverer;
import dev.tern.relay.tls.DaneHosts;
import dev.tern.relay.tls.DomainTls;
import dev.tern.relay.tls.MessageTls;
import dev.tern.relay.tls.OutboundTls;
import dev.tern.relay.tls.TlsPolicy;
import dev.tern.relay.tls.TlsaCheck;
import dev.tern.smtp.EnhancedStatus;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queue's {@link Deliverer}: follows the {@link Route} that {@link Routing} decided for the domain, to
 * Maildir, to a smarthost or to the mail exchangers. Candidates are tried one after another within the
 * attempt: a refused connection, a 4xx or 5xx greeting or a 421 moves on to the next (RFC 5321 5.1); a
 * transaction that ran gives per-recipient outcomes, and the recipients it refused for now (a 4xx reply) go on to
 * the next host.
 */
public final class Router implements Deliverer {
    private static final Logger log = LoggerFactory.getLogger(Router.class);
    /** What the router itself saw, in the words a TLS report's result type is read from (RFC 8460 4.3). */
    private static final String NOT_LISTED = "mail exchanger not listed in the MTA-STS policy";

    private static final String NO_STARTTLS = "STARTTLS required but not offered";

    /** What a TLS report counts a host held to its TLSA records under (policy type {@code tlsa}, RFC 8460 4.3). */
    private static final DomainTls DANE_REPORTED = DomainTls.configured(TlsPolicy.DANE);

    /** RFC 3463 X.7.5: what DANE needed of DNSSEC or of the certificate failed (RFC 7672 2.2). */
    private static final String DANE_FAILED = "4.7.5";

    private static final EnhancedStatus NO_ANSWER = EnhancedStatus.parse("4.4.1");

    private final Routing routing;
    private final MaildirDelivery local;
    private final MailExchangerResolver resolver;
    private final HostSelector selector;
    private final SmtpClient client;
    private final OutboundTls outboundTls;
    private final Predicate<InetSocketAddress> ownListener;

    /** A router whose mail exchangers get opportunistic TLS, whatever the domain. */
    public Router(
            Routing routing,
            MaildirDelivery local,
            MailExchangerResolver resolver,
            HostSelector selector,
            SmtpClient client) {
        this(routing, local, resolver, selector, client, OutboundTls.opportunistic(), listener -> false);
    }

    /**
     * @param routing the decision this router follows, the same the delivery metrics read
     * @param resolver resolves every name: MX targets, implicit MX and smarthosts alike
     * @param outboundTls the TLS policy of each domain's mail exchangers (smarthosts follow their route)
     * @param ownListener true for an address and port one of this server's own listeners takes connections at:
     *     a route there would send the mail back to this server (RFC 5321 5.1), as an MX naming it would
     */
    public Router(
            Routing routing,
            MaildirDelivery local,
            MailExchangerResolver resolver,
            HostSelector selector,
            SmtpClient client,
            OutboundTls outboundTls,
            Predicate<InetSocketAddress> ownListener) {
        this.ownListener = ownListener;
        this.routing = routing;
        this.local = local;
        this.resolver = resolver;
        this.selector = selector;
        this.client = client;
        this.outboundTls = outboundTls;
    }

    @Override
    public CompletionStage<List<RecipientOutcome>> deliver(String domain, DeliveryRequest request) {
        return switch (routing.of(domain)) {
            case Route.Local local -> this.local.deliver(request);
            case Smarthost smarthost ->
                resolver.resolveHost(smarthost.host())
                        .thenCompose(resolution -> onResolved(
                                resolution, domain, request, found -> toSmarthost(domain, smarthost, found, request)));
            case Route.Mx mx -> {
                // Asked at once, beside the MX question: the policy's own bound keeps the wait short.
                CompletionStage<DomainTls> tls = outboundTls.policy(domain);
                yield resolver.resolve(domain)
                        .thenCompose(resolution -> onResolved(
                                resolution,
                                domain,
                                request,
                                found -> tls.thenCompose(policy -> toExchangers(domain, found, request, policy))));
            }
        };
    }

    private CompletionStage<List<RecipientOutcome>> toSmarthost(
            String domain, Smarthost smarthost, MxResolution.Exchangers found, DeliveryRequest request) {
        List<Candidate> candidates = new ArrayList<>();
        boolean ours = false;
        for (MailExchanger host : found.exchangers()) {
            for (InetAddress address : host.addresses()) {
                InetSocketAddress target = new InetSocketAddress(address, smarthost.port());
                if (ownListener.test(target)) {
                    ours = true;
                } else {
                    candidates.add(new Candidate(host.host(), target));
                }
            }
        }
        if (candidates.isEmpty() && ours) {
            // The route leads back to one of our own listeners: the mail would come round again and again.
            String why = "mail for " + domain + " loops back to myself (route " + smarthost.host() + ":"
                    + smarthost.port() + ")";
            log.info("id={} domain={} {}", request.id(), domain, why);
            return CompletableFuture.completedFuture(
                    all(request, DeliveryStatus.PERMANENT, EnhancedStatus.parse("5.4.6"), why));
        }
        ClientRoute route = MessageTls.of(smarthost.route(), request.envelope());
        return tryInTurn(candidates, 0, new HostTls(route, null, null, null, Set.of()), request, null);
    }

    /** @param published the domain's own policy, which the message's wishes may change (RFC 8689) */
    private CompletionStage<List<RecipientOutcome>> toExchangers(
            String domain, MxResolution.Exchangers found, DeliveryRequest request, DomainTls published) {
        DomainTls policy = MessageTls.of(published, request.envelope());
        if (policy.dane() != null && policy.dane().failure() != null) {
            // RFC 7672 2.1.1: a bogus or unvalidated MX RRset gives no host to trust; try again later.
            outboundTls.daneOutcome(TlsPolicyOutcome.BOGUS);
            String why = "DANE: MX of " + domain + ": " + policy.dane().failure();
            log.info("id={} domain={} {}", request.id(), domain, why);
            return CompletableFuture.completedFuture(
                    all(request, DeliveryStatus.TEMPORARY, EnhancedStatus.parse(DANE_FAILED), why));
        }
        List<Candidate> candidates = new ArrayList<>();
        List<String> unlisted = new ArrayList<>();
        AttemptResult.HostFailed unusable = null;
        List<MxCandidate> selected = selector.select(domain, found);
        int leftOutForNow = found.leftOutForNow();
        for (MxCandidate c : selected) {
            DaneHosts.Host dane = policy.dane() == null
                    ? DaneHosts.noRecords()
                    : policy.dane().host(c.host());
            if (dane instanceof DaneHosts.Host.Verify verify) {
                // RFC 7672 2.2: TLSA records decide for their host, whatever MTA-STS would say (RFC 8461 2).
                candidates.add(new Candidate(c.host(), c.address(), ClientRoute.checked(verify.check()), true));
            } else if (dane instanceof DaneHosts.Host.Unusable u) {
                if (unusable == null || !unusable.remoteMta().equals(c.host())) {
                    // Once per host, not per address.
                    outboundTls.daneOutcome(TlsPolicyOutcome.BOGUS);
                    log.info("id={} domain={} DANE: not using {}: {}", request.id(), domain, c.host(), u.reason());
                }
                leftOutForNow = Math.min(leftOutForNow, c.preference());
                unusable = new AttemptResult.HostFailed(
                        DeliveryStatus.TEMPORARY,
                        EnhancedStatus.parse(DANE_FAILED),
                        c.host() + ": DANE: " + u.reason(),
                        c.host(),
                        null);
            } else if (policy.lists(c.host())) {
                candidates.add(new Candidate(c.host(), c.address()));
            } else if (policy.testing()) {
                // RFC 8461 5: testing mode reports a host outside the policy but still uses it.
                log.info(
                        "id={} domain={} {}: {} is not among mx {}; delivering anyway",
                        request.id(),
                        domain,
                        policy.describe(),
                        c.host(),
                        policy.mx());
                outboundTls.outcome(policy, TlsPolicyOutcome.TESTING_FAILED);
                outboundTls.session(domain, published, c.host(), null, NOT_LISTED);
                candidates.add(new Candidate(c.host(), c.address(), ClientRoute.mx()));
            } else {
                unlisted.add(c.host());
            }
        }
        if (!unlisted.isEmpty()) {
            // RFC 8461 4.1: an exchanger the policy does not list is never used.
            unlisted.forEach(host -> {
                outboundTls.outcome(policy, TlsPolicyOutcome.FAILED);
                outboundTls.session(domain, published, host, null, NOT_LISTED);
            });
            log.info(
                    "id={} domain={} {}: not using {}, not among mx {}",
                    request.id(),
                    domain,
                    policy.describe(),
                    unlisted,
                    policy.mx());
        }
        AttemptResult.HostFailed none = candidates.isEmpty() && unusable != null
                ? unusable
                : candidates.isEmpty() && !unlisted.isEmpty()
                        ? new AttemptResult.HostFailed(
                                DeliveryStatus.TEMPORARY,
                                EnhancedStatus.parse("4.7.5"),
                                policy.describe() + " not met: no mail exchanger matches mx " + policy.mx() + " (found "
                                        + String.join(", ", unlisted) + ")")
                        : null;
        // Hosts behind one left out for now (its address or TLSA lookup failed for now): should one of them be this
        // server, the mail waits for that host rather than being returned.
        // Nothing is made when no host was left out, the common case on every attempt.
        int waitFor = leftOutForNow;
        Set<String> behindLeftOut = waitFor == Integer.MAX_VALUE
                ? Set.of()
                : selected.stream()
                        .filter(c -> c.preference() > waitFor)
                        .map(MxCandidate::host)
                        .collect(Collectors.toUnmodifiableSet());
        return tryInTurn(
                candidates, 0, new HostTls(policy.route(), policy, domain, published, behindLeftOut), request, none);
    }

    /**
     * How to talk to the hosts of one attempt: a smarthost's route, or a domain's TLS policy.
     *
     * @param policy the policy mail exchangers are held to, or null for a smarthost
     * @param domain the recipient domain whose mail exchangers these are, or null for a smarthost
     * @param published the domain's own policy, which TLS reports name (RFC 8460 4.4), or null for a smarthost
     * @param behindLeftOut the hosts less preferred than one left out for now (its address or TLSA lookup failed)
     */
    private record HostTls(
            ClientRoute route, DomainTls policy, String domain, DomainTls published, Set<String> behindLeftOut) {}

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

    /**
     * An address to dial: always resolved here, so the client never resolves a name (nor blocks on one).
     *
     * @param route the host's own route, or null for the attempt's
     * @param dane the host is held to its TLSA records (its route carries them)
     */
    private record Candidate(String host, InetSocketAddress address, ClientRoute route, boolean dane) {
        Candidate {
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("the client is given addresses, never names: " + address);
            }
        }

        /** A host that gets the attempt's route. */
        Candidate(String host, InetSocketAddress address) {
            this(host, address, null, false);
        }

        /** A host with a route of its own. */
        Candidate(String host, InetSocketAddress address, ClientRoute route) {
            this(host, address, route, false);
        }

        String named() {
            return host + " [" + address.getAddress().getHostAddress() + "]";
        }
    }

    private CompletionStage<List<RecipientOutcome>> tryInTurn(
            List<Candidate> candidates,
            int index,
            HostTls tls,
            DeliveryRequest request,
            AttemptResult.HostFailed last) {
        if (index >= candidates.size()) {
            AttemptResult.HostFailed why = last != null
                    ? last
                    : new AttemptResult.HostFailed(
                            DeliveryStatus.TEMPORARY, EnhancedStatus.parse("4.4.4"), "no host to try");
            // Every host failed: the next attempt, later, may find one that works. The last host tried and
            // its reply, if it gave one, are what a report will name (RFC 3464 2.3.5, 2.3.6). But a REQUIRETLS
            // message that hosts refused for their TLS is returned at once (RFC 8689 4.2.1, 5).
            boolean returned = requiresTls(request) && tlsRefusal(why);
            EnhancedStatus status = returned ? permanentTls(why.enhancedStatus()) : temporary(why.enhancedStatus());
            return CompletableFuture.completedFuture(request.recipientIndexes().stream()
                    .map(i -> new RecipientOutcome(
                            i,
                            returned ? DeliveryStatus.PERMANENT : DeliveryStatus.TEMPORARY,
                            status,
                            why.diagnostic(),
                            why.remoteMta(),
                            why.remoteMta() == null ? null : why.remoteReply(),
                            false))
                    .toList());
        }
        Candidate c = candidates.get(index);
        ClientRoute route = c.route() != null ? c.route() : tls.route();
        return client.deliver(c.address(), c.host(), route, request).thenCompose(result -> {
            if (result instanceof AttemptResult.HostFailed failed
                    && tls.policy() != null
                    && tls.policy().testing()
                    && failed.tlsRequirementFailed()
                    && c.route() == null) {
                // RFC 8461 5: in testing mode a failed check is reported, and the host is used as before.
                log.info(
                        "id={} peer={} {}: {}; delivering without it",
                        request.id(),
                        c.named(),
                        tls.policy().describe(),
                        failed.diagnostic());
                outboundTls.outcome(tls.policy(), TlsPolicyOutcome.TESTING_FAILED);
                outboundTls.session(tls.domain(), tls.published(), c.host(), ip(c), failed.diagnostic());
                List<Candidate> again = new ArrayList<>(candidates);
                again.set(index, new Candidate(c.host(), c.address(), ClientRoute.mx()));
                return tryInTurn(again, index, tls, request, last);
            }
            return switch (result) {
                case AttemptResult.Completed done -> {
                    if (c.dane()) {
                        outboundTls.daneOutcome(TlsPolicyOutcome.VERIFIED);
                        outboundTls.session(tls.domain(), DANE_REPORTED, c.host(), ip(c), null);
                    } else if (tls.policy() != null && c.route() == null) {
                        outboundTls.outcome(tls.policy(), TlsPolicyOutcome.MET);
                        if (done.tls()) {
                            outboundTls.session(tls.domain(), tls.published(), c.host(), ip(c), null);
                        } else if (tls.policy().level() != TlsPolicy.NONE) {
                            // RFC 8460 4.3.1: plaintext under "may", where the host offered no STARTTLS.
                            outboundTls.session(tls.domain(), tls.published(), c.host(), ip(c), NO_STARTTLS);
                        }
                    }
                    yield nextForRefusedForNow(candidates, index, tls, request, done.outcomes());
                }
                case AttemptResult.HostFailed failed
                when failed.isLoop() -> {
                    // The host is this server (it answered EHLO with our name): it and every host after it, of
                    // equal or lower preference, are dropped (RFC 5321 5.1). Mail the hosts before it failed for
                    // now, in setup or by refusing recipients for now (a greylisting primary), waits for them; with
                    // none before it, the mail has nowhere to go.
                    String why = c.named() + ": " + failed.diagnostic();
                    log.info("id={} peer={} {}", request.id(), c.named(), failed.diagnostic());
                    yield last != null || index > 0 || tls.behindLeftOut().contains(c.host())
                            ? tryInTurn(
                                    candidates, candidates.size(), tls, request, last != null ? last : waiting(c, why))
                            : CompletableFuture.completedFuture(
                                    all(request, DeliveryStatus.PERMANENT, failed.enhancedStatus(), why));
                }
                case AttemptResult.HostFailed failed -> {
                    if (tls.policy() != null && failed.tlsRequirementFailed()) {
                        DomainTls reported = c.dane() ? DANE_REPORTED : tls.published();
                        outboundTls.session(tls.domain(), reported, c.host(), ip(c), failed.diagnostic());
                    }
                    yield tryInTurn(
                            candidates, index + 1, tls, request, worse(request, last, named(c, tls.policy(), failed)));
                }
            };
        });
    }

    /**
     * {@code outcomes} of a transaction with {@code candidates[index]}, where the recipients that host refused for
     * now (a 4xx to MAIL, to RCPT or to the end of the data) are tried at the next hosts within the same attempt, as
     * Postfix does: a primary that is full or busy must not keep mail from a backup that would take it. An outcome a
     * later host decides (delivered, or refused for good) replaces the first host's; where every later host fails
     * for now too, the first host's reply stands, since it said why. Only a reply counts: a recipient left in doubt
     * (the connection lost after the data) is never sent elsewhere, lest it arrive twice.
     */
    private CompletionStage<List<RecipientOutcome>> nextForRefusedForNow(
            List<Candidate> candidates,
            int index,
            HostTls tls,
            DeliveryRequest request,
            List<RecipientOutcome> outcomes) {
        List<Integer> refusedForNow = outcomes.stream()
                .filter(o -> o.status() == DeliveryStatus.TEMPORARY && o.remoteReply() != null)
                .map(RecipientOutcome::recipientIndex)
                .toList();
        if (refusedForNow.isEmpty() || index + 1 >= candidates.size()) {
            return CompletableFuture.completedFuture(outcomes);
        }
        DeliveryRequest rest = new DeliveryRequest(request.id(), request.envelope(), refusedForNow, request.content());
        return tryInTurn(candidates, index + 1, tls, rest, null).thenApply(later -> {
            Map<Integer, RecipientOutcome> decided = new HashMap<>();
            for (RecipientOutcome o : later) {
                if (o.status() != DeliveryStatus.TEMPORARY) {
                    decided.put(o.recipientIndex(), o);
                }
            }
            return outcomes.stream()
                    .map(o -> decided.getOrDefault(o.recipientIndex(), o))
                    .toList();
        });
    }

    /** Why mail waits when the host {@code c} is this server and a more preferred host failed for now. */
    private static AttemptResult.HostFailed waiting(Candidate c, String why) {
        return new AttemptResult.HostFailed(
                DeliveryStatus.TEMPORARY,
                EnhancedStatus.parse("4.4.6"),
                why + "; waiting for a more preferred host",
                c.host(),
                null);
    }

    /** The failure with the host in front, and the policy it did not meet when that is why it failed. */
    private AttemptResult.HostFailed named(Candidate c, DomainTls policy, AttemptResult.HostFailed failed) {
        String diagnostic = c.named() + ": " + failed.diagnostic();
        if (c.dane() && failed.tlsRequirementFailed()) {
            boolean mismatch = failed.diagnostic().startsWith(TlsaCheck.MISMATCH);
            outboundTls.daneOutcome(mismatch ? TlsPolicyOutcome.MISMATCH : TlsPolicyOutcome.NO_TLS);
            diagnostic = c.named() + ": DANE not met: " + failed.diagnostic();
        } else if (policy != null && failed.tlsRequirementFailed()) {
            outboundTls.outcome(policy, TlsPolicyOutcome.FAILED);
            diagnostic = c.named() + ": " + policy.describe() + " not met: " + failed.diagnostic();
        }
        return new AttemptResult.HostFailed(
                failed.status(),
                failed.enhancedStatus(),
                diagnostic,
                failed.remoteMta() != null ? failed.remoteMta() : c.host(),
                failed.remoteReply());
    }

    private static InetAddress ip(Candidate c) {
        return c.address().getAddress();
    }

    private static boolean requiresTls(DeliveryRequest request) {
        return request.envelope().parameters().requireTls();
    }

    /** A host that could not give verified TLS, or does not offer REQUIRETLS (RFC 8689 4.2.1). */
    private static boolean tlsRefusal(AttemptResult.HostFailed failed) {
        return failed.tlsRequirementFailed() || failed.enhancedStatus().equals(AttemptResult.REQUIRETLS_NOT_OFFERED);
    }

    /**
     * The failure a report names: the latest, except that for a REQUIRETLS message a host's TLS refusal is kept
     * over a later host's transient failure, so that the message is returned when no host could take it safely;
     * and a host that answered (a reply, a broken session) is kept over a later host that never did (no
     * connection): what a server said tells more, and a destination one of whose hosts answered is not down.
     */
    private static AttemptResult.HostFailed worse(
            DeliveryRequest request, AttemptResult.HostFailed last, AttemptResult.HostFailed latest) {
        if (last != null && requiresTls(request) && tlsRefusal(last) && !tlsRefusal(latest)) {
            return last;
        }
        if (last != null && noAnswer(latest) && !noAnswer(last)) {
            return last;
        }
        return latest;
    }

    /** A host that took no connection (RFC 3463 3.5: 4.4.1, no answer from host). */
    private static boolean noAnswer(AttemptResult.HostFailed failed) {
        return failed.remoteReply() == null && failed.enhancedStatus().equals(NO_ANSWER);
    }

    /** RFC 8689: 5.7.30 when no host offered REQUIRETLS, else 5.7.10 (RFC 3463 "encryption needed"). */
    private static EnhancedStatus permanentTls(EnhancedStatus status) {
        return status.equals(AttemptResult.REQUIRETLS_NOT_OFFERED) ? status : EnhancedStatus.parse("5.7.10");
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
