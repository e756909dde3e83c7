package dev.tern.relay.tls;

import dev.tern.relay.dns.ValidatedLookups;
import dev.tern.relay.dns.ValidatedLookups.Answer;
import java.net.IDN;
import java.time.Clock;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.TLSARecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link Dane} as RFC 7672 2.2 describes it, on {@link ValidatedLookups}: the domain's MX RRset must be secure
 * (an insecure one: DANE does not apply; bogus or failed: the domain is deferred); for each host it names, in
 * preference order and at most {@code maxHosts}, the TLSA RRset at {@code _PORT._tcp.HOST} (RFC 6698 3) is asked
 * at once. A secure RRset with usable records makes the host a DANE host; records of usages 0 and 1 only (or of
 * unknown selectors or matching types) count as none (RFC 7672 3.1.3); a bogus or failed answer makes the host
 * unusable (2.2). A secure "no MX" is the implicit MX (RFC 5321 5.1): the domain itself is the host. CNAMEs are
 * not expanded: the TLSA base domain is the MX host name.
 */
public final class DaneResolver implements Dane {
    private final ValidatedLookups dns;
    private final int port;
    private final int maxHosts;
    private final Clock clock;

    /**
     * @param port the destination port, which names the TLSA records: 25
     * @param maxHosts most mail exchangers asked for TLSA records, as {@code delivery.max-mx-hosts}
     */
    public DaneResolver(ValidatedLookups dns, int port, int maxHosts, Clock clock) {
        this.dns = dns;
        this.port = port;
        this.maxHosts = maxHosts;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Optional<DaneHosts>> hosts(String domain) {
        String plain = DaneHosts.normalize(domain);
        Optional<Name> name = toName(plain);
        if (name.isEmpty() || plain.startsWith("[")) {
            return done(Optional.empty());
        }
        return dns.lookup(name.get(), Type.MX)
                .thenCompose(mx -> switch (mx.security()) {
                    case INSECURE -> done(Optional.empty());
                    case BOGUS -> done(Optional.of(DaneHosts.failed("DNSSEC bogus: " + mx.reason())));
                    case FAILED -> done(Optional.of(DaneHosts.failed("DNSSEC validation failed: " + mx.reason())));
                    case SECURE -> mx.nxdomain() ? done(Optional.empty()) : tlsa(exchangers(plain, mx));
                })
                // A bug is no reason to deliver without DANE: the domain waits, and the log says why.
                .exceptionally(error -> Optional.of(DaneHosts.failed("DANE lookup failed: " + error)));
    }

    /** The validated MX hosts, lowest preference first; the domain itself when it has no MX. */
    private List<String> exchangers(String domain, Answer mx) {
        if (mx.records().isEmpty()) {
            return List.of(domain);
        }
        return mx.records().stream()
                .map(MXRecord.class::cast)
                .filter(r -> !r.getTarget().equals(Name.root))
                .sorted(Comparator.comparingInt(MXRecord::getPriority))
                .map(r -> DaneHosts.normalize(r.getTarget().toString()))
                .distinct()
                .limit(maxHosts)
                .toList();
    }

    private CompletionStage<Optional<DaneHosts>> tlsa(List<String> hosts) {
        Map<String, CompletableFuture<DaneHosts.Host>> lookups = new LinkedHashMap<>();
        for (String host : hosts) {
            lookups.put(host, host(host).toCompletableFuture());
        }
        return CompletableFuture.allOf(lookups.values().toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    Map<String, DaneHosts.Host> states = new LinkedHashMap<>();
                    lookups.forEach((host, state) -> states.put(host, state.join()));
                    // RFC 7672 2.2: without a usable TLSA RRset anywhere (or a host it makes unusable), DANE is moot.
                    boolean applies = states.values().stream().anyMatch(s -> !(s instanceof DaneHosts.Host.NoRecords));
                    return applies ? Optional.of(new DaneHosts(null, states)) : Optional.empty();
                });
    }

    private CompletionStage<DaneHosts.Host> host(String host) {
        Optional<Name> name = toName("_" + port + "._tcp." + host);
        if (name.isEmpty()) {
            return done(DaneHosts.noRecords());
        }
        return dns.lookup(name.get(), Type.TLSA).thenApply(answer -> switch (answer.security()) {
            case SECURE -> {
                List<Tlsa> usable = answer.records().stream()
                        .map(r -> Tlsa.of((TLSARecord) r))
                        .filter(Tlsa::usable)
                        .toList();
                yield usable.isEmpty()
                        ? DaneHosts.noRecords()
                        : new DaneHosts.Host.Verify(new TlsaCheck(host, usable, clock));
            }
            case INSECURE -> DaneHosts.noRecords();
            case BOGUS -> new DaneHosts.Host.Unusable("DNSSEC bogus: " + answer.reason());
            case FAILED -> new DaneHosts.Host.Unusable("TLSA lookup failed: " + answer.reason());
        });
    }

    private static Optional<Name> toName(String plain) {
        try {
            // RFC 6531 3.2: a UTF-8 name is looked up in its A-label form, as the resolver does.
            return Optional.of(Name.fromString(IDN.toASCII(plain, IDN.ALLOW_UNASSIGNED), Name.root));
        } catch (TextParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static <T> CompletionStage<T> done(T value) {
        return CompletableFuture.completedFuture(value);
    }
}
