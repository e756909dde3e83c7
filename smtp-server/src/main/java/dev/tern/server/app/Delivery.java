package dev.tern.server.app;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.client.SmtpClientOptions;
import dev.tern.relay.dns.ConnectLatency;
import dev.tern.relay.dns.DnsMailExchangerResolver;
import dev.tern.relay.dns.DnssecAnchors;
import dev.tern.relay.dns.HostSelector;
import dev.tern.relay.dns.MxResolverOptions;
import dev.tern.relay.dns.ValidatedLookups;
import dev.tern.relay.dsn.DsnBouncer;
import dev.tern.relay.dsn.DsnBuilder;
import dev.tern.relay.local.MaildirDelivery;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.metrics.MeteredBouncer;
import dev.tern.relay.metrics.MeteredDeliverer;
import dev.tern.relay.queue.DeliveryLimits;
import dev.tern.relay.queue.DeliveryScheduler;
import dev.tern.relay.queue.QueueExecutor;
import dev.tern.relay.queue.RetryPolicy;
import dev.tern.relay.queue.ShapingOptions;
import dev.tern.relay.route.Router;
import dev.tern.relay.route.Routing;
import dev.tern.relay.route.Smarthost;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.tls.Dane;
import dev.tern.relay.tls.DaneResolver;
import dev.tern.relay.tls.MtaSts;
import dev.tern.relay.tls.MtaStsResolver;
import dev.tern.relay.tls.OutboundTls;
import dev.tern.relay.tls.TlsPolicies;
import dev.tern.relay.tls.TlsPolicy;
import dev.tern.relay.tls.TrustAnchors;
import dev.tern.relay.tlsrpt.TlsReporter;
import dev.tern.relay.tlsrpt.TlsSessionCounts;
import dev.tern.server.config.DeliveryConfig;
import dev.tern.server.config.DnsServer;
import dev.tern.server.config.RouteSpec;
import dev.tern.server.config.TernConfig;
import dev.tern.server.config.TlsRptConfig;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.PathParser;
import dev.tern.smtp.queue.Signer;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything after 250, assembled from the configuration: the scheduling queue over the spool, the
 * router, Maildir, the resolver and the SMTP client on the server's event loops.
 */
final class Delivery implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Delivery.class);

    final DeliveryScheduler scheduler;
    /** Who lives here: the rule Maildir delivery follows, handed to the inbound side's RCPT too. */
    final LocalMailboxes mailboxes;

    private final SmtpClient client;
    /** The client a drain hands the queue over with: another instance of the deployment may bear our name. */
    private final SmtpClient handoverClient;

    private final ExecutorService blocking;
    private final ScheduledExecutorService queueThread;
    private final ExecutorService queueReader;
    /** Null when TLS reports are off. */
    private final TlsReporter tlsReporter;

    private Delivery(
            DeliveryScheduler scheduler,
            LocalMailboxes mailboxes,
            SmtpClient client,
            SmtpClient handoverClient,
            ExecutorService blocking,
            ScheduledExecutorService queueThread,
            ExecutorService queueReader,
            TlsReporter tlsReporter) {
        this.scheduler = scheduler;
        this.mailboxes = mailboxes;
        this.client = client;
        this.handoverClient = handoverClient;
        this.blocking = blocking;
        this.queueThread = queueThread;
        this.queueReader = queueReader;
        this.tlsReporter = tlsReporter;
    }

    /**
     * A deliverer of every message to {@code host}:{@code port} ({@code tern queue drain}); the name is
     * resolved off the caller's thread.
     */
    java.util.concurrent.CompletionStage<dev.tern.relay.queue.Deliverer> handover(
            String host, int port, dev.tern.relay.client.ClientRoute route) {
        return java.util.concurrent.CompletableFuture.supplyAsync(
                () -> {
                    try {
                        var address = new java.net.InetSocketAddress(java.net.InetAddress.getByName(host), port);
                        return new dev.tern.relay.route.Handover(handoverClient, address, host, route);
                    } catch (java.net.UnknownHostException e) {
                        throw new java.util.concurrent.CompletionException(e);
                    }
                },
                blocking);
    }

    /** @param clock the spool's clock: arrival times and retry times must be reckoned alike */
    static Delivery start(
            TernConfig config, Spool spool, EventLoops loops, DeliveryMetrics metrics, Signer signer, Clock clock) {
        DeliveryConfig d = config.delivery();
        ExecutorService blocking = blockingPool();
        ConnectLatency latency = new ConnectLatency();
        SmtpClientOptions defaults = SmtpClientOptions.defaults(config.hostname());
        TrustAnchors trust = trustAnchors(d.tlsTrustFile());
        SmtpClientOptions options = new SmtpClientOptions(
                config.hostname(),
                d.connectTimeout(),
                defaults.greetingTimeout(),
                defaults.commandTimeout(),
                defaults.dataInitTimeout(),
                defaults.dataBlockTimeout(),
                d.finalDotTimeout(),
                d.idleTimeout(),
                defaults.maxMessagesPerConnection(),
                defaults.opportunisticTls(),
                trust.smtpContext(),
                latency::record,
                false);
        SmtpClient client = new SmtpClient(
                loops.workers(),
                loops.clientChannel(),
                options.detectingLoops(namesOnlyUs(config.hostname())),
                metrics);
        SmtpClient handoverClient = new SmtpClient(loops.workers(), loops.clientChannel(), options, metrics);
        OwnAddresses self = OwnAddresses.of(config.listeners(), d.selfAddresses());
        var selfNames = new HashSet<String>();
        selfNames.add(config.hostname().toLowerCase(Locale.ROOT));
        MxResolverOptions dns = MxResolverOptions.defaults()
                .withServers(config.dns().servers().stream()
                        .map(DnsServer::socketAddress)
                        .toList())
                .withTimeout(config.dns().timeout(), 1)
                .withLimits(d.maxMxHosts(), 3)
                .withSelf(selfNames::contains, self);
        // Decided once per domain; the router follows it and the metrics are tagged with it.
        Routing routing = new Routing(Set.copyOf(config.local().domains()), smarthosts(d.routes()));
        LocalMailboxes mailboxes = config.local().rule(config.hostname(), self::isOwnLiteral);
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(dns, metrics);
        MtaSts mtaSts = d.mtaSts().enabled()
                ? MtaStsResolver.create(
                        resolver,
                        loops.workers(),
                        loops.clientChannel(),
                        trust,
                        d.mtaSts().port(),
                        d.mtaSts().timeout(),
                        config.dataDir().resolve("mta-sts-policies"),
                        d.mtaSts().maxPolicies(),
                        blocking,
                        clock)
                : null;
        TlsSessionCounts tlsSessions =
                d.tlsRpt().enabled() ? new TlsSessionCounts(d.tlsRpt().maxDomains(), clock) : null;
        Dane dane = dane(config, dns, d.port(), clock);
        Router router = new Router(
                routing,
                new MaildirDelivery(config.dataDir().resolve("mail"), mailboxes, blocking, config.hostname(), clock),
                resolver,
                new HostSelector(d.port(), d.preferLowLatency(), latency, new SplittableRandom()),
                client,
                new OutboundTls(
                        new TlsPolicies(d.tlsPolicy()), mtaSts, dane, d.dane().enabled(), metrics, tlsSessions),
                self.listeners(config.listeners()));
        // The queue's state lives on one thread; spooled content is read back on two more (disk, never a loop).
        ScheduledExecutorService queueThread = Executors.newSingleThreadScheduledExecutor(threads("tern-queue"));
        ExecutorService queueReader = Executors.newFixedThreadPool(2, threads("tern-queue-read"));
        DeliveryScheduler scheduler = new DeliveryScheduler(
                spool,
                new MeteredDeliverer(router, domain -> routing.of(domain).kind(), metrics),
                new MeteredBouncer(new DsnBouncer(new DsnBuilder(config.hostname(), clock), mailboxes), metrics),
                new RetryPolicy(d.firstRetry(), d.maxRetry(), d.queueLifetime(), d.delayWarning()),
                new DeliveryLimits(d.maxConnections(), d.maxConnectionsPerDestination()),
                QueueExecutor.on(queueThread),
                queueReader,
                signer,
                clock,
                new ShapingOptions(d.shaping().policy(), suspensionsFile(config.dataDir()), queueReader, metrics));
        // The queue is loaded now, so the operator sees it (tern queue); attempts begin with begin(), once the
        // server is sure to run, and never while delivery is switched off.
        scheduler.start(false);
        TlsReporter tlsReporter = null;
        if (tlsSessions != null) {
            tlsReporter = new TlsReporter(
                    tlsSessions,
                    resolver,
                    scheduler,
                    signer,
                    tlsReportOptions(d.tlsRpt(), config.hostname()),
                    metrics,
                    clock,
                    Executors.newSingleThreadScheduledExecutor(threads("tern-tls-rpt")));
            tlsReporter.start();
        }
        return new Delivery(
                scheduler, mailboxes, client, handoverClient, blocking, queueThread, queueReader, tlsReporter);
    }

    /**
     * Whether a host answering EHLO with {@code hostname} can only be this server: a domain name of our own, not a
     * machine's bare name (the default, which other programs on the same machine give too) nor localhost.
     */
    static boolean namesOnlyUs(String hostname) {
        String name = hostname.toLowerCase(Locale.ROOT);
        return name.indexOf('.') > 0 && !name.equals("localhost") && !name.startsWith("localhost.");
    }

    /** The report's names, with the defaults {@code delivery.tls-rpt} documents for "". */
    private static TlsReporter.Options tlsReportOptions(TlsRptConfig c, String hostname) {
        var from = PathParser.parseMailbox(c.from(hostname))
                .orElseThrow(() -> new IllegalStateException("delivery.tls-rpt.from is not an address"));
        return new TlsReporter.Options(
                c.interval(),
                from,
                c.organization().isEmpty() ? hostname : c.organization(),
                c.contact().isEmpty() ? from.address() : c.contact(),
                hostname);
    }

    /**
     * DANE's lookups when some domain uses DANE (all of them, or those whose policy is {@code dane}), else null:
     * validated from {@code dns.trust-anchor-file}, or IANA's root anchors, through the same servers.
     */
    private static Dane dane(TernConfig config, MxResolverOptions dns, int port, Clock clock) {
        DeliveryConfig d = config.delivery();
        if (!d.dane().enabled() && !d.tlsPolicy().containsValue(TlsPolicy.DANE)) {
            return null;
        }
        Path file = config.dns().trustAnchorFile();
        DnssecAnchors anchors;
        try {
            anchors = file == null ? DnssecAnchors.ianaRoot() : DnssecAnchors.load(file);
        } catch (IOException e) {
            throw new IllegalStateException("dns.trust-anchor-file " + file + ": " + e.getMessage(), e);
        }
        log.info("DANE for {}, DNSSEC from {}", d.dane().enabled() ? "every domain" : "domains set to dane", anchors);
        ValidatedLookups lookups = new ValidatedLookups(dns, anchors, d.dane().timeout(), clock);
        return new DaneResolver(lookups, port, d.maxMxHosts(), clock);
    }

    /** Where manual suspensions of destinations are kept (docs/shaping.md); the data directory is made if need be. */
    private static Path suspensionsFile(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDir, e);
        }
        return dataDir.resolve("suspensions");
    }

    /** The roots verified TLS trusts; the file was found readable when the configuration was loaded. */
    private static TrustAnchors trustAnchors(Path pemBundle) {
        try {
            return TrustAnchors.load(pemBundle);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("delivery.tls-trust-file " + pemBundle + ": " + e.getMessage(), e);
        }
    }

    /** File system work of the delivery side (Maildir): bounded, never an event loop. */
    private static ExecutorService blockingPool() {
        return new ThreadPoolExecutor(
                4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), threads("tern-delivery"));
    }

    /**
     * Plain daemon threads named {@code prefix-N}: they may block (disk, name service), so they are not
     * Netty's threads, which BlockHound holds to the event loop's rules.
     */
    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    private static Map<String, Smarthost> smarthosts(Map<String, RouteSpec> routes) {
        Map<String, Smarthost> out = new HashMap<>();
        routes.forEach((domain, spec) -> {
            ClientRoute.TlsMode tls =
                    switch (spec.tls()) {
                        case NONE -> ClientRoute.TlsMode.NONE;
                        case STARTTLS -> ClientRoute.TlsMode.STARTTLS;
                        case IMPLICIT -> ClientRoute.TlsMode.IMPLICIT;
                    };
            String password = spec.password(domain);
            out.put(
                    domain,
                    new Smarthost(
                            spec.host(), spec.port(), new ClientRoute(tls, spec.verify(), spec.username(), password)));
        });
        return out;
    }

    /** Starts attempting the queue, unless delivery is switched off: the server runs. */
    void begin(boolean enabled) {
        if (enabled) {
            scheduler.deliver();
        } else {
            log.info("queue: delivery is off (delivery.enabled: false): messages are kept, none is attempted");
        }
    }

    /** Starts no new attempt: the server is stopping (attempts under way run on until {@link #close}). */
    void stopAttempts() {
        scheduler.stopAttempts();
    }

    @Override
    public void close() {
        close(Duration.ofSeconds(10));
    }

    /** Closes delivery, giving the attempts under way at most {@code wait} to record their outcomes. */
    void close(Duration wait) {
        if (tlsReporter != null) {
            tlsReporter.close();
        }
        scheduler.close(wait);
        queueThread.shutdown();
        queueReader.shutdown();
        client.close();
        handoverClient.close();
        blocking.shutdown();
    }
}
