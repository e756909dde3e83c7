package dev.tern.relay.tls;

import dev.tern.relay.dns.DnsMailExchangerResolver;
import dev.tern.relay.dns.DnsMailExchangerResolver.TextRecords;
import dev.tern.relay.dns.MxResolution;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MtaSts} as RFC 8461 3 and 5 describe it: the {@code _mta-sts.DOMAIN} TXT record (asked through
 * Tern's resolver) says whether a policy exists and its id; the policy is fetched when none is cached or
 * the id changed, and is cached for its max_age. A domain whose TXT record is gone, or whose DNS or
 * policy host fails, keeps its cached policy until it expires (5.1); a failed fetch of an id is not tried
 * again for {@link #RETRY_FAILED_FETCH}, so deliveries do not keep waiting on it. One fetch per domain at a time;
 * the caller waits at most {@code bound}, and a fetch that takes longer only fills the cache.
 */
public final class MtaStsResolver implements MtaSts {
    private static final Logger log = LoggerFactory.getLogger(MtaStsResolver.class);
    /** RFC 8461 3.1: {@code v=STSv1; id=...;}, the id 1 to 32 letters and digits. */
    private static final Pattern RECORD = Pattern.compile("^v=STSv1\\s*;(?:.*;)?\\s*id=([A-Za-z0-9]{1,32})\\s*(;.*)?$");
    /** RFC 8461 3.3: policy bodies are small; 64 KiB is plenty. */
    static final int MAX_POLICY_BYTES = 64 * 1024;

    private final DnsMailExchangerResolver dns;
    private final PolicyFetcher fetcher;
    private final MtaStsCache cache;
    private final Duration bound;
    private final Clock clock;
    /** After a failed fetch, the same id is not fetched again for this long: deliveries do not wait on it. */
    static final Duration RETRY_FAILED_FETCH = Duration.ofMinutes(5);

    private final Map<String, CompletableFuture<Optional<MtaStsPolicy>>> fetching = new ConcurrentHashMap<>();
    /** Domain to the id whose fetch failed and until when it is left alone; bounded like the cache. */
    private final Map<String, FailedFetch> failed;

    private record FailedFetch(String id, Instant until) {}

    MtaStsResolver(
            DnsMailExchangerResolver dns, PolicyFetcher fetcher, MtaStsCache cache, Duration bound, Clock clock) {
        this.dns = dns;
        this.fetcher = fetcher;
        this.cache = cache;
        this.bound = bound;
        this.clock = clock;
        int maxFailures = cache.maxEntries();
        this.failed = Collections.synchronizedMap(new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, FailedFetch> eldest) {
                return size() > maxFailures;
            }
        });
    }

    /**
     * @param port the policy hosts' HTTPS port: 443 but in tests
     * @param bound the longest wait for a policy; also the bound of each fetch
     * @param file where the policies outlive a restart (read now: call this off any event loop)
     * @param writer where that file is rewritten: may block, never an event loop
     */
    public static MtaStsResolver create(
            DnsMailExchangerResolver dns,
            EventLoopGroup group,
            Class<? extends Channel> channelClass,
            TrustAnchors trust,
            int port,
            Duration bound,
            Path file,
            int maxPolicies,
            Executor writer,
            Clock clock) {
        PolicyFetcher fetcher =
                new PolicyFetcher(group, channelClass, trust.httpsContext(), port, bound, MAX_POLICY_BYTES);
        return new MtaStsResolver(dns, fetcher, new MtaStsCache(file, maxPolicies, writer, clock), bound, clock);
    }

    @Override
    public CompletionStage<Optional<MtaStsPolicy>> policy(String domain) {
        String name = domain.toLowerCase(Locale.ROOT);
        Optional<MtaStsPolicy> cached = Optional.ofNullable(cache.get(name));
        CompletableFuture<Optional<MtaStsPolicy>> answer = dns.text("_mta-sts." + name)
                .thenCompose(txt -> afterTxt(name, txt, cached))
                .exceptionally(error -> cached)
                .toCompletableFuture();
        // Answered already (the TXT from the cache, no fetch): no timer for the bound.
        return answer.isDone()
                ? answer
                // Past the bound delivery goes on as the cache says; the fetch may still finish into it.
                : answer.completeOnTimeout(cached, bound.toMillis(), TimeUnit.MILLISECONDS);
    }

    private CompletionStage<Optional<MtaStsPolicy>> afterTxt(
            String domain, TextRecords txt, Optional<MtaStsPolicy> cached) {
        List<String> ids = txt.texts().stream()
                .map(RECORD::matcher)
                .filter(Matcher::matches)
                .map(m -> m.group(1))
                .toList();
        if (txt.temporary() || ids.size() != 1) {
            // RFC 8461 3.1: none, or several, is no record; 5.1: a cached policy stays in force meanwhile.
            return CompletableFuture.completedFuture(cached);
        }
        String id = ids.get(0);
        if (cached.isPresent() && cached.get().id().equals(id)) {
            return CompletableFuture.completedFuture(cached);
        }
        FailedFetch last = failed.get(domain);
        if (last != null && last.id().equals(id) && clock.instant().isBefore(last.until())) {
            return CompletableFuture.completedFuture(cached);
        }
        return fetching.computeIfAbsent(domain, d -> {
            CompletableFuture<Optional<MtaStsPolicy>> fetch =
                    fetch(d, id, cached).toCompletableFuture();
            fetch.whenComplete((p, e) -> fetching.remove(d));
            return fetch;
        });
    }

    private CompletionStage<Optional<MtaStsPolicy>> fetch(String domain, String id, Optional<MtaStsPolicy> cached) {
        String host = "mta-sts." + domain;
        return dns.resolveHost(host)
                .thenCompose(resolution -> switch (resolution) {
                    case MxResolution.Exchangers found -> fetcher.fetch(host, first(found));
                    case MxResolution.Failure failure ->
                        CompletableFuture.failedFuture(new PolicyFetcher.PolicyFetchException(failure.diagnostic()));
                })
                .thenApply(body -> {
                    MtaStsPolicy.Parsed parsed = MtaStsPolicy.parse(body, id, clock.instant());
                    if (parsed.policy() == null) {
                        failed.put(domain, new FailedFetch(id, clock.instant().plus(RETRY_FAILED_FETCH)));
                        log.info(
                                "domain={} MTA-STS policy id={} from {} not used: {}",
                                domain,
                                id,
                                host,
                                parsed.error());
                        return cached;
                    }
                    failed.remove(domain);
                    cache.put(domain, parsed.policy());
                    log.info(
                            "domain={} MTA-STS policy id={} mode={} mx={} max_age={}s",
                            domain,
                            id,
                            parsed.policy().mode().name().toLowerCase(Locale.ROOT),
                            parsed.policy().mx(),
                            parsed.policy().maxAge().toSeconds());
                    return Optional.of(parsed.policy());
                })
                .exceptionally(error -> {
                    failed.put(domain, new FailedFetch(id, clock.instant().plus(RETRY_FAILED_FETCH)));
                    Throwable cause = error.getCause() != null ? error.getCause() : error;
                    log.info(
                            "domain={} MTA-STS policy id={} cannot be fetched from {}: {}{}",
                            domain,
                            id,
                            host,
                            cause.getMessage(),
                            cached.isPresent() ? "; the cached one stays" : "");
                    return cached;
                });
    }

    private static InetAddress first(MxResolution.Exchangers found) {
        return found.exchangers().get(0).addresses().get(0);
    }
}
