package dev.tern.relay.tlsrpt;

import dev.tern.relay.dns.DnsMailExchangerResolver;
import dev.tern.relay.dns.DnsMailExchangerResolver.TextRecords;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.metrics.DeliveryMetrics.TlsReportOutcome;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.Signer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every {@code interval}, takes the {@link TlsSessionCounts} of the period and, for each domain counted,
 * looks up its TLSRPT record ({@code _smtp._tls.DOMAIN} TXT, through Tern's resolver and {@code dns.servers}
 * only); a domain with {@code mailto:} addresses gets its report (RFC 8460 5.3), DKIM-signed like Tern's own
 * reports and put in Tern's queue, to be delivered like any message. {@code https:} addresses are not
 * posted to (logged); a domain without a record gets nothing. Runs on the given scheduler's thread and
 * dnsjava's; never on an event loop.
 */
public final class TlsReporter implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TlsReporter.class);

    /**
     * @param from the reports' sender (header and reverse-path)
     * @param organization {@code organization-name}
     * @param contact {@code contact-info}
     * @param submitter the reporting host's name
     */
    public record Options(Duration interval, Mailbox from, String organization, String contact, String submitter) {}

    private final TlsSessionCounts counts;
    private final DnsMailExchangerResolver dns;
    private final MailQueue queue;
    private final Signer signer;
    private final Options options;
    private final DeliveryMetrics metrics;
    private final Clock clock;
    private final ScheduledExecutorService scheduler;
    private final AtomicLong serial = new AtomicLong();

    public TlsReporter(
            TlsSessionCounts counts,
            DnsMailExchangerResolver dns,
            MailQueue queue,
            Signer signer,
            Options options,
            DeliveryMetrics metrics,
            Clock clock,
            ScheduledExecutorService scheduler) {
        this.counts = counts;
        this.dns = dns;
        this.queue = queue;
        this.signer = signer;
        this.options = options;
        this.metrics = metrics;
        this.clock = clock;
        this.scheduler = scheduler;
    }

    /** Reports every {@code interval} from now on. */
    public void start() {
        long every = options.interval().toMillis();
        scheduler.scheduleAtFixedRate(this::reportSafely, every, every, TimeUnit.MILLISECONDS);
    }

    private void reportSafely() {
        try {
            report();
        } catch (RuntimeException e) {
            // A bug must not end the schedule.
            log.warn("TLS reports not sent: {}", e.toString());
        }
    }

    /** Ends the period and sends its reports; completes when each domain's report is queued or given up. */
    public CompletionStage<Void> report() {
        TlsSessionCounts.Drained period = counts.drain();
        if (period.droppedDomains() > 0) {
            log.warn(
                    "TLS reports: {} sessions with domains beyond the {} counted are not reported",
                    period.droppedDomains(),
                    period.policies().stream()
                            .map(PolicySummary::domain)
                            .distinct()
                            .count());
        }
        Map<String, List<PolicySummary>> byDomain = new LinkedHashMap<>();
        for (PolicySummary p : period.policies()) {
            byDomain.computeIfAbsent(p.domain(), d -> new ArrayList<>()).add(p);
        }
        List<CompletableFuture<Void>> sent = new ArrayList<>();
        byDomain.forEach(
                (domain, policies) -> sent.add(send(period, domain, policies).toCompletableFuture()));
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new));
    }

    private CompletionStage<Void> send(TlsSessionCounts.Drained period, String domain, List<PolicySummary> policies) {
        // RFC 8460 3: the record lives at _smtp._tls of the policy domain.
        return dns.text("_smtp._tls." + domain)
                .thenCompose(txt -> toRecord(period, domain, policies, txt))
                .exceptionally(e -> {
                    log.warn("domain={} TLS report not queued: {}", domain, e.toString());
                    metrics.tlsReport(TlsReportOutcome.FAILED);
                    return null;
                });
    }

    private CompletionStage<Void> toRecord(
            TlsSessionCounts.Drained period, String domain, List<PolicySummary> policies, TextRecords txt) {
        if (txt.temporary()) {
            log.info("domain={} TLS report not sent: its TLSRPT record could not be looked up", domain);
            metrics.tlsReport(TlsReportOutcome.FAILED);
            return CompletableFuture.completedFuture(null);
        }
        var record = TlsRptRecord.find(txt.texts());
        if (record.isEmpty() || record.get().mailto().isEmpty()) {
            if (record.isPresent() && record.get().https() > 0) {
                log.info(
                        "domain={} TLS report not sent: only https reporting addresses, which Tern does not use",
                        domain);
            }
            metrics.tlsReport(TlsReportOutcome.SKIPPED);
            return CompletableFuture.completedFuture(null);
        }
        List<Mailbox> to = record.get().mailto();
        String reportId = period.start().getEpochSecond() + "." + serial.incrementAndGet() + "." + domain + "@"
                + options.submitter();
        TlsReport report = new TlsReport(
                options.organization(),
                options.contact(),
                options.submitter(),
                reportId,
                period.start(),
                period.end(),
                domain,
                policies);
        byte[] bytes = report.message(
                options.from().address(), to.stream().map(Mailbox::address).toList(), clock.instant());
        Envelope envelope = new Envelope(
                new ReversePath(options.from()),
                to.stream().map(m -> new RcptTo(m, RcptParameters.NONE)).toList(),
                MailParameters.NONE);
        return signed(Unpooled.wrappedBuffer(bytes))
                .thenCompose(content -> queue.enqueue(envelope, content))
                .thenAccept(id -> {
                    log.info("domain={} TLS report {} queued as id={} to {}", domain, reportId, id, to);
                    metrics.tlsReport(TlsReportOutcome.SENT);
                });
    }

    /** {@code content} with its DKIM fields on top, or as it is when signing fails; the result owns it. */
    private CompletionStage<ByteBuf> signed(ByteBuf content) {
        return signer.sign(content).handle((fields, e) -> {
            if (e != null) {
                log.warn("TLS report not signed: {}", e.toString());
                return content;
            }
            return fields.isEmpty()
                    ? content
                    : Unpooled.wrappedBuffer(Unpooled.copiedBuffer(fields, StandardCharsets.US_ASCII), content);
        });
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
    }
}
