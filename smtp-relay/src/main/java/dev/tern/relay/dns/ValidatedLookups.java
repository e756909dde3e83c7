package dev.tern.relay.dns;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.SOARecord;
import org.xbill.DNS.Section;
import org.xbill.DNS.TXTRecord;
import org.xbill.DNS.Type;
import org.xbill.DNS.dnssec.ValidatingResolver;

/**
 * Questions whose answers count only when DNSSEC proves them (RFC 4033 to 4035), as DANE needs (RFC 7672 2.1):
 * dnsjava's {@link ValidatingResolver} asks the configured servers (which must pass DNSSEC records on, as any
 * recursive resolver does) and validates from the {@link DnssecAnchors}. An answer is {@link Security#SECURE},
 * {@link Security#INSECURE} (no chain of trust covers it: an unsigned zone), {@link Security#BOGUS} (signatures
 * that should be there are missing or wrong: a forgery, or a broken zone) or {@link Security#FAILED} (SERVFAIL,
 * timeout). One question is asked once at a time, whoever waits for it. Secure and insecure answers are kept for their TTL (at most an hour; negative ones for their SOA's,
 * RFC 2308 5) in a map bounded like the resolver's cache; bogus and failed ones are asked again next time.
 */
public final class ValidatedLookups {
    /** What DNSSEC made of an answer. */
    public enum Security {
        SECURE,
        INSECURE,
        BOGUS,
        FAILED
    }

    /**
     * @param records the records of the asked type (none for NODATA, NXDOMAIN and failures)
     * @param reason why an answer is bogus or failed, in the validator's words; empty otherwise
     */
    public record Answer(Security security, List<Record> records, boolean nxdomain, String reason) {
        public Answer {
            records = List.copyOf(records);
        }

        static Answer failed(String reason) {
            return new Answer(Security.FAILED, List.of(), false, reason);
        }
    }

    private static final Duration MAX_TTL = Duration.ofHours(1);
    /** dnsjava's validator calls a SERVFAIL from upstream an unclassifiable response; that is no forgery. */
    private static final String UPSTREAM_FAILURE = "Response subtype is UNKNOWN";

    private final ValidatingResolver resolver;
    private final MxResolverOptions options;
    private final Duration bound;
    private final Clock clock;
    private final Map<Question, Cached> cache;
    /** Questions being asked now; no more than the deliveries waiting on them. */
    private final Map<Question, CompletableFuture<Answer>> inFlight = new ConcurrentHashMap<>();

    private record Question(Name name, int type) {}

    private record Cached(Answer answer, Instant until) {}

    /** @param bound the longest one validated question may take, the chain of keys above it included */
    public ValidatedLookups(MxResolverOptions options, DnssecAnchors anchors, Duration bound, Clock clock) {
        this.options = options;
        this.bound = bound;
        this.clock = clock;
        this.resolver = new ValidatingResolver(DnsLookups.resolver(DnsLookups.servers(options), options), clock);
        try {
            resolver.loadTrustAnchors(anchors.zoneText());
        } catch (IOException e) {
            throw new UncheckedIOException("trust anchors " + anchors, e);
        }
        int max = options.cacheMaxEntries();
        this.cache = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Question, Cached> eldest) {
                return size() > max;
            }
        });
    }

    /** Asks for {@code type} records of the absolute {@code name}; the stage never fails and ends within the bound. */
    public CompletionStage<Answer> lookup(Name name, int type) {
        Question question = new Question(name, type);
        Cached cached = cache.get(question);
        if (cached != null && clock.instant().isBefore(cached.until())) {
            return CompletableFuture.completedFuture(cached.answer());
        }
        // One validation per question at a time: a burst of deliveries to one domain waits on the same answer.
        CompletableFuture<Answer> asking = new CompletableFuture<>();
        CompletableFuture<Answer> already = inFlight.putIfAbsent(question, asking);
        if (already != null) {
            return already;
        }
        CompletionStage<Answer> stage;
        try {
            stage = ask(question);
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenComplete((answer, error) -> {
            inFlight.remove(question, asking);
            // Never a failed stage, whatever broke: the delivery waiting on it must get an answer.
            asking.complete(
                    error == null
                            ? answer
                            : Answer.failed(Type.string(type) + " " + name + ": "
                                    + DnsLookups.describe(DnsLookups.unwrap(error))));
        });
        return asking;
    }

    private CompletionStage<Answer> ask(Question question) {
        Name name = question.name();
        int type = question.type();
        Message query = Message.newQuery(Record.newRecord(name, type, DClass.IN));
        String what = Type.string(type) + " " + name + ": ";
        return resolver.sendAsync(query, options.executor())
                .toCompletableFuture()
                .orTimeout(bound.toMillis(), TimeUnit.MILLISECONDS)
                .handle((response, error) -> {
                    if (error != null) {
                        return Answer.failed(what + DnsLookups.describe(DnsLookups.unwrap(error)));
                    }
                    Answer answer = classify(response, type, what);
                    Duration ttl = ttl(response, answer);
                    if (!ttl.isZero()) {
                        cache.put(question, new Cached(answer, clock.instant().plus(ttl)));
                    }
                    return answer;
                });
    }

    private static Answer classify(Message response, int type, String what) {
        int rcode = response.getRcode();
        if (rcode == Rcode.SERVFAIL) {
            String reason = reason(response);
            return reason.isEmpty() || reason.startsWith(UPSTREAM_FAILURE)
                    ? Answer.failed(what + "server failure (SERVFAIL)")
                    : new Answer(Security.BOGUS, List.of(), false, what + withoutRecords(reason));
        }
        if (rcode != Rcode.NOERROR && rcode != Rcode.NXDOMAIN) {
            return Answer.failed(what + Rcode.string(rcode));
        }
        List<Record> records = response.getSection(Section.ANSWER).stream()
                .filter(r -> r.getType() == type)
                .toList();
        Security security = response.getHeader().getFlag(Flags.AD) ? Security.SECURE : Security.INSECURE;
        return new Answer(security, records, rcode == Rcode.NXDOMAIN, "");
    }

    /** The validator's reason without the RRset it appends ({@code ...: { name ttl IN TYPE [...] sigs: [...] }}). */
    static String withoutRecords(String reason) {
        int dump = reason.indexOf(" { ");
        String text = dump < 0 ? reason : reason.substring(0, dump);
        return text.endsWith(":") ? text.substring(0, text.length() - 1) : text;
    }

    /** The validator's reason for a bogus answer: a TXT record of its own class in the additional section. */
    private static String reason(Message response) {
        return response.getSection(Section.ADDITIONAL).stream()
                .filter(r -> r.getType() == Type.TXT && r.getDClass() == ValidatingResolver.VALIDATION_REASON_QCLASS)
                .map(r -> String.join("", ((TXTRecord) r).getStrings()))
                .findFirst()
                .orElse("");
    }

    /** How long the answer holds: its records' TTL, or for a negative answer its SOA's (RFC 2308 5); zero: not kept. */
    private static Duration ttl(Message response, Answer answer) {
        if (answer.security() == Security.BOGUS || answer.security() == Security.FAILED) {
            return Duration.ZERO;
        }
        long seconds;
        if (!answer.records().isEmpty()) {
            seconds = answer.records().stream().mapToLong(Record::getTTL).min().orElse(0);
        } else {
            seconds = response.getSection(Section.AUTHORITY).stream()
                    .filter(SOARecord.class::isInstance)
                    .map(SOARecord.class::cast)
                    .mapToLong(soa -> Math.min(soa.getTTL(), soa.getMinimum()))
                    .min()
                    .orElse(0);
        }
        Duration ttl = Duration.ofSeconds(Math.max(0, seconds));
        return ttl.compareTo(MAX_TTL) > 0 ? MAX_TTL : ttl;
    }
}
