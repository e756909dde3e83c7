package dev.tern.relay.dns;

import dev.tern.relay.dns.DnsLookups.Answer;
import dev.tern.relay.dns.MxResolution.Exchangers;
import dev.tern.relay.metrics.DeliveryMetrics;
import java.net.IDN;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.MXRecord;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.TextParseException;
import org.xbill.DNS.Type;

/**
 * {@link MailExchangerResolver} on dnsjava's asynchronous {@code LookupSession}, with a bounded
 * cache that keeps answers for their TTL: the one resolver for every name delivery needs (MX targets,
 * implicit MX, smarthosts); the JDK's resolver, which reads /etc/resolv.conf and blocks, is never asked.
 * Implements RFC 5321 5.1 and RFC 7505:
 *
 * <ul>
 *   <li>MX records present: their hosts in preference order (the domain's own A/AAAA are ignored);
 *       hosts without any address are skipped; if none is left the failure is temporary (4.4.3)
 *       when some lookup failed for now, else permanent (5.4.4, unable to route).
 *   <li>No MX (NODATA): the domain itself is the implicit MX, preference 0; no address: 5.1.2.
 *   <li>A single {@code MX 0 .}: null MX, permanent 5.1.10, no address is looked up.
 *   <li>NXDOMAIN: permanent 5.1.2. SERVFAIL or timeout: temporary 4.4.3.
 *   <li>Our own host among the MX: it and every host of equal or higher preference value are
 *       dropped; if none is left, permanent 5.4.6.
 *   <li>Address literals are never looked up.
 * </ul>
 *
 * <p>The returned stage completes on dnsjava's threads; Netty callers hop back to their event loop.
 */
public final class DnsMailExchangerResolver implements MailExchangerResolver {
    /**
     * How long a domain's mail exchangers, once worked out from its MX records and their hosts' addresses,
     * are given again without working them out anew: at most this, and not at all when a record they came
     * from has a TTL under a second (the TTL as the records carry it: the answer may be used up to this long
     * past what its cache entry had left). Every attempt to a busy domain would otherwise redo the same work
     * over the same cached answers.
     */
    static final long REUSE_NANOS = TimeUnit.SECONDS.toNanos(1);

    /** Domains whose exchangers are held; past this many, all are dropped at once. */
    static final int MAX_HELD = 4096;
    /**
     * How many MX hosts' addresses may be looked up for each one of {@code delivery.max-mx-hosts}: hosts with no
     * address do not count against that limit, but a domain of a thousand dead names costs a bounded number of lookups.
     */
    static final int MAX_LOOKUPS_PER_HOST = 4;

    private final MxResolverOptions options;
    private final DnsLookups dns;
    private final DeliveryMetrics metrics;
    private final ConcurrentHashMap<String, Held> held = new ConcurrentHashMap<>();

    /** Exchangers worked out for a domain, usable until {@code until} (System.nanoTime()). */
    private record Held(Exchangers exchangers, long until) {}

    public DnsMailExchangerResolver(MxResolverOptions options) {
        this(options, DeliveryMetrics.NOOP);
    }

    /** @param metrics told the result and latency of every MX question */
    public DnsMailExchangerResolver(MxResolverOptions options, DeliveryMetrics metrics) {
        this.options = options;
        this.dns = new DnsLookups(options);
        this.metrics = metrics;
    }

    @Override
    public CompletionStage<MxResolution> resolve(String domain) {
        String plain = normalize(domain);
        if (AddressLiterals.isLiteral(plain)) {
            return CompletableFuture.completedFuture(literal(plain));
        }
        Optional<Name> name = toName(plain);
        if (name.isEmpty()) {
            return CompletableFuture.completedFuture(MxFailures.badName(domain));
        }
        long started = System.nanoTime();
        Held recent = held.get(plain);
        if (recent != null && started - recent.until() < 0) {
            return CompletableFuture.completedFuture(recent.exchangers());
        }
        return dns.lookup(name.get(), Type.MX)
                .whenComplete((answer, error) -> metrics.dnsLookup(result(answer), System.nanoTime() - started))
                .thenCompose(answer -> switch (answer.kind()) {
                    case NXDOMAIN -> done(MxFailures.noSuchDomain(plain));
                    case TEMPORARY -> done(MxFailures.dnsTrouble(answer.reason()));
                    // RFC 5321 5.1: no MX at all, so the domain is its own implicit MX.
                    case NODATA -> implicitMx(plain, name.get());
                    case RECORDS -> fromMx(plain, answer);
                })
                .exceptionally(error -> MxFailures.dnsTrouble(String.valueOf(error)));
    }

    @Override
    public CompletionStage<MxResolution> resolveHost(String host) {
        String plain = normalize(host);
        Optional<InetAddress> literal = AddressLiterals.parseBare(plain);
        if (literal.isPresent() && HostAddresses.unusable(literal.get())) {
            return done(MxFailures.unknownHost(host, "no host has the address " + plain));
        }
        if (literal.isPresent()) {
            return done(new Exchangers(List.of(new MailExchanger(plain, 0, List.of(literal.get())))));
        }
        Optional<Name> name = toName(plain);
        if (name.isEmpty()) {
            return done(MxFailures.unknownHost(host, "malformed name"));
        }
        // STYLE: NXDOMAIN and NODATA are permanent (the route names a host that is not there); SERVFAIL and
        // timeouts are temporary.
        return HostAddresses.lookup(dns, name.get(), options)
                .<MxResolution>thenApply(found -> found.addresses().isEmpty()
                        ? found.temporaryFailure()
                                ? MxFailures.dnsTrouble(found.reason())
                                : MxFailures.unknownHost(plain, found.reason())
                        : new Exchangers(List.of(new MailExchanger(plain, 0, found.addresses()))))
                .exceptionally(error -> MxFailures.dnsTrouble(String.valueOf(error)));
    }

    /**
     * The TXT records of {@code name} (RFC 1035 3.3.14), each one's strings joined, as MTA-STS reads them
     * (RFC 8461 3.1). The stage never fails: DNS trouble is {@link TextRecords#temporary()}.
     */
    public CompletionStage<TextRecords> text(String name) {
        Optional<Name> absolute = toName(normalize(name));
        if (absolute.isEmpty()) {
            return CompletableFuture.completedFuture(new TextRecords(List.of(), false));
        }
        return dns.lookup(absolute.get(), Type.TXT).thenApply(answer -> switch (answer.kind()) {
            case RECORDS ->
                new TextRecords(
                        answer.records().stream()
                                .map(r -> String.join("", ((TXTRecord) r).getStrings()))
                                .toList(),
                        false);
            case NODATA, NXDOMAIN -> new TextRecords(List.of(), false);
            case TEMPORARY -> new TextRecords(List.of(), true);
        });
    }

    /** What a TXT question found: the records' texts, or none; {@code temporary} when DNS failed for now. */
    public record TextRecords(List<String> texts, boolean temporary) {
        public TextRecords {
            texts = List.copyOf(texts);
        }
    }

    @Override
    public String servers() {
        return dns.servers();
    }

    /** The answer as a metrics result; DnsLookups words its temporary reasons "SERVFAIL" and "timed out". */
    private static DeliveryMetrics.DnsResult result(Answer answer) {
        if (answer == null) {
            return DeliveryMetrics.DnsResult.ERROR;
        }
        return switch (answer.kind()) {
            case RECORDS, NODATA -> DeliveryMetrics.DnsResult.OK;
            case NXDOMAIN -> DeliveryMetrics.DnsResult.NXDOMAIN;
            case TEMPORARY ->
                answer.reason().endsWith("timed out")
                        ? DeliveryMetrics.DnsResult.TIMEOUT
                        : answer.reason().contains("(SERVFAIL)")
                                ? DeliveryMetrics.DnsResult.SERVFAIL
                                : DeliveryMetrics.DnsResult.ERROR;
        };
    }

    private CompletionStage<MxResolution> fromMx(String domain, Answer answer) {
        List<MXRecord> records = answer.records().stream()
                .filter(MXRecord.class::isInstance)
                .map(MXRecord.class::cast)
                .toList();
        // RFC 7505 3: exactly one MX whose exchange is the root name means "no mail accepted".
        if (records.size() == 1 && records.getFirst().getTarget().equals(Name.root)) {
            return done(MxFailures.nullMx(domain));
        }
        List<MxHost> hosts = MxHost.sorted(records);
        // RFC 5321 5.1: drop our own name and every host of equal or higher preference value.
        int selfPreference = hosts.stream()
                .filter(h -> options.selfHosts().test(h.host()))
                .mapToInt(MxHost::preference)
                .min()
                .orElse(Integer.MAX_VALUE);
        List<MxHost> candidates = hosts.stream()
                .filter(h -> h.preference() < selfPreference)
                .limit((long) options.maxHosts() * MAX_LOOKUPS_PER_HOST)
                .toList();
        if (candidates.isEmpty()) {
            return done(MxFailures.loop(domain));
        }
        return lookUp(candidates, List.of()).thenApply(addresses -> {
            List<MxHost> kept = candidates.subList(0, addresses.size());
            MxResolution resolution = exchangers(domain, kept, addresses, selfPreference != Integer.MAX_VALUE);
            if (resolution instanceof Exchangers found) {
                long ttl = records.stream().mapToLong(Record::getTTL).min().orElse(0);
                for (HostAddresses a : addresses) {
                    ttl = Math.min(ttl, a.ttlSeconds());
                }
                hold(domain, found, ttl);
            }
            return resolution;
        });
    }

    /**
     * The addresses of {@code candidates} in their order, looked up a few at a time until {@code
     * delivery.max-mx-hosts} of them have addresses or none is left: the limit counts hosts that can be tried, so
     * stale MX records with no address ahead of a working one do not use it up (RFC 5321 5.1: the hosts are tried
     * in order until one takes the mail), and the candidates are themselves bounded ({@link #MAX_LOOKUPS_PER_HOST}).
     */
    private CompletionStage<List<HostAddresses>> lookUp(List<MxHost> candidates, List<HostAddresses> done) {
        long usable = done.stream().filter(a -> !a.addresses().isEmpty()).count();
        if (usable >= options.maxHosts() || done.size() == candidates.size()) {
            return CompletableFuture.completedFuture(done);
        }
        int next = (int) Math.min(candidates.size(), done.size() + options.maxHosts() - usable);
        List<CompletableFuture<HostAddresses>> lookups = candidates.subList(done.size(), next).stream()
                .map(h -> HostAddresses.lookup(dns, h.name(), options).toCompletableFuture())
                .toList();
        return CompletableFuture.allOf(lookups.toArray(CompletableFuture[]::new))
                .thenCompose(ignored -> {
                    List<HostAddresses> more = new ArrayList<>(done);
                    lookups.forEach(l -> more.add(l.join()));
                    return lookUp(candidates, more);
                });
    }

    /** Keeps {@code found} for reuse, unless a record it came from may not be kept so long. */
    private void hold(String domain, Exchangers found, long ttlSeconds) {
        if (ttlSeconds < 1) {
            return;
        }
        if (held.size() >= MAX_HELD) {
            held.clear();
        }
        held.put(domain, new Held(found, System.nanoTime() + REUSE_NANOS));
    }

    private MxResolution exchangers(String domain, List<MxHost> hosts, List<HostAddresses> addresses, boolean loopCut) {
        // RFC 5321 5.1 again, by address: a host that resolves to us is ourselves under another name.
        int selfPreference = Integer.MAX_VALUE;
        for (int i = 0; i < hosts.size(); i++) {
            if (addresses.get(i).addresses().stream().anyMatch(options.selfAddresses())) {
                selfPreference = Math.min(selfPreference, hosts.get(i).preference());
            }
        }
        List<MailExchanger> exchangers = new ArrayList<>();
        int leftOutForNow = Integer.MAX_VALUE;
        boolean temporary = false;
        String reason = "";
        for (int i = 0; i < hosts.size(); i++) {
            MxHost host = hosts.get(i);
            HostAddresses found = addresses.get(i);
            if (host.preference() >= selfPreference) {
                continue;
            }
            if (found.addresses().isEmpty()) {
                if (found.temporaryFailure()) {
                    leftOutForNow = Math.min(leftOutForNow, host.preference());
                }
                if (HostAddresses.explainsBetter(found.temporaryFailure(), temporary)) {
                    reason = found.reason();
                }
                temporary |= found.temporaryFailure();
                continue;
            }
            exchangers.add(new MailExchanger(host.host(), host.preference(), found.addresses()));
        }
        if (!exchangers.isEmpty()) {
            return new Exchangers(
                    exchangers.size() > options.maxHosts()
                            ? List.copyOf(exchangers.subList(0, options.maxHosts()))
                            : exchangers,
                    leftOutForNow);
        }
        if (temporary) {
            return MxFailures.dnsTrouble(reason);
        }
        if (loopCut || selfPreference != Integer.MAX_VALUE) {
            return MxFailures.loop(domain);
        }
        return MxFailures.noExchangerAddress(domain, reason);
    }

    private CompletionStage<MxResolution> implicitMx(String domain, Name name) {
        if (options.selfHosts().test(domain)) {
            return done(MxFailures.loop(domain));
        }
        return HostAddresses.lookup(dns, name, options).thenApply(found -> {
            if (found.addresses().stream().anyMatch(options.selfAddresses())) {
                return MxFailures.loop(domain);
            }
            if (found.addresses().isEmpty()) {
                return found.temporaryFailure()
                        ? MxFailures.dnsTrouble(found.reason())
                        : found.onlyUnusable()
                                ? MxFailures.noExchangerAddress(domain, found.reason())
                                : MxFailures.noAddress(domain);
            }
            return new Exchangers(List.of(new MailExchanger(domain, 0, found.addresses())));
        });
    }

    private MxResolution literal(String domain) {
        // RFC 5321 5.1 (last paragraph): an address literal is used as it is, with no lookup.
        Optional<InetAddress> address = AddressLiterals.parse(domain);
        if (address.isEmpty()) {
            return MxFailures.badLiteral(domain);
        }
        if (HostAddresses.unusable(address.get())) {
            return MxFailures.noHostLiteral(domain);
        }
        if (options.selfAddresses().test(address.get())) {
            return MxFailures.loop(domain);
        }
        return new Exchangers(List.of(new MailExchanger(domain, 0, List.of(address.get()))));
    }

    private static String normalize(String domain) {
        String trimmed = domain.strip();
        if (trimmed.endsWith(".") && !AddressLiterals.isLiteral(trimmed)) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.toLowerCase(Locale.ROOT);
    }

    private static Optional<Name> toName(String plain) {
        if (plain.isEmpty()) {
            return Optional.empty();
        }
        try {
            // RFC 6531 3.2: a UTF-8 domain is looked up in its A-label form.
            String ascii = IDN.toASCII(plain, IDN.ALLOW_UNASSIGNED);
            return Optional.of(Name.fromString(ascii, Name.root));
        } catch (TextParseException | IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    private static CompletionStage<MxResolution> done(MxResolution resolution) {
        return CompletableFuture.completedFuture(resolution);
    }

    /** One MX host, deduplicated by name with its lowest preference. */
    private record MxHost(String host, Name name, int preference) {

        static List<MxHost> sorted(List<MXRecord> records) {
            Map<String, MxHost> byHost = new LinkedHashMap<>();
            for (Record record : records) {
                MXRecord mx = (MXRecord) record;
                if (mx.getTarget().equals(Name.root)) {
                    // A "." beside real MX records breaks RFC 7505 3; the real ones still work.
                    continue;
                }
                String host = normalize(mx.getTarget().toString());
                MxHost candidate = new MxHost(host, mx.getTarget(), mx.getPriority());
                byHost.merge(host, candidate, (a, b) -> a.preference() <= b.preference() ? a : b);
            }
            // RFC 5321 5.1: lower preference values first, equal ones in random order (the sender MUST spread the
            // load across them), so that when delivery.max-mx-hosts cuts the list, every one of them gets its turn.
            List<MxHost> shuffled = new ArrayList<>(byHost.values());
            Collections.shuffle(shuffled, ThreadLocalRandom.current());
            shuffled.sort(Comparator.comparingInt(MxHost::preference));
            return shuffled;
        }
    }
}
