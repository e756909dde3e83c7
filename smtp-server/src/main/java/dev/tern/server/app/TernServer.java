package dev.tern.server.app;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpoolOptions;
import dev.tern.server.auth.Authenticator;
import dev.tern.server.auth.BcryptAuthenticator;
import dev.tern.server.config.ListenerConfig;
import dev.tern.server.config.TernConfig;
import dev.tern.server.limit.ClientLimiter;
import dev.tern.server.management.AdminHandler;
import dev.tern.server.management.AdminRouter;
import dev.tern.server.management.AdminTokens;
import dev.tern.server.management.DestinationRoutes;
import dev.tern.server.management.ManagementServer;
import dev.tern.server.management.QueueRoutes;
import dev.tern.server.management.Readiness;
import dev.tern.server.metrics.TernMetrics;
import dev.tern.server.smtp.ConnectionLimiter;
import dev.tern.server.smtp.InflightBudget;
import dev.tern.server.smtp.ListenerSettings;
import dev.tern.server.smtp.RecipientPolicy;
import dev.tern.server.smtp.SenderOwnership;
import dev.tern.server.smtp.SessionRegistry;
import dev.tern.server.smtp.SessionServices;
import dev.tern.server.smtp.SmtpServerInitializer;
import dev.tern.server.tls.ReloadingServerTls;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running Tern: the spool open, every listener bound, the management listener serving metrics and
 * health. {@link #shutdown()} stops accepting, lets
 * sessions finish their transactions within the grace period, closes the rest with 421, and closes
 * the spool so it is consistent on disk.
 */
public final class TernServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(TernServer.class);

    private final TernConfig config;
    private final EventLoops loops;
    private final Spool spool;
    private final SessionRegistry registry;
    private final TernMetrics metrics;
    private Delivery delivery;
    private SpoolDiskSpace diskSpace;
    private HeapWatch heap;
    private DkimSigning dkim;
    private ManagementServer management;
    private AdminTokens adminTokens;
    private final Map<String, ListenerSockets> listeners = new LinkedHashMap<>();
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final CountDownLatch terminated = new CountDownLatch(1);

    /** Readiness: a failed spool batch counts for this long (then new traffic may show the disk is back). */
    private static final Duration SPOOL_FAILURE_WINDOW = Duration.ofSeconds(30);
    /** Readiness: an MX question that timed out, with no answer since, counts for this long. */
    private static final Duration DNS_TIMEOUT_WINDOW = Duration.ofSeconds(60);
    /** What attempts under way get to record their outcomes when the sessions took the whole grace. */
    private static final Duration LAST_ATTEMPT_WAIT = Duration.ofSeconds(1);

    private TernServer(
            TernConfig config, EventLoops loops, Spool spool, SessionRegistry registry, TernMetrics metrics) {
        this.config = config;
        this.loops = loops;
        this.spool = spool;
        this.registry = registry;
        this.metrics = metrics;
    }

    /** {@code tern serve}: runs until SIGTERM or SIGINT, then drains and returns the exit code. */
    public static int run(TernConfig config) throws Exception {
        logLevel(config.logLevel());
        try (ReloadingServerTls ssl = ServerParts.sslContext(config);
                BcryptAuthenticator authenticator = ServerParts.authenticator(config)) {
            Reload.onHangUp(ssl);
            // The hook comes first: a SIGTERM while the listeners bind waits for the start, then drains.
            CompletableFuture<TernServer> started = new CompletableFuture<>();
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    started.join().shutdown();
                                } catch (CompletionException e) {
                                    // The start failed and released what it took: nothing to stop.
                                }
                                flushLogs();
                            },
                            "tern-shutdown"));
            TernServer server;
            try {
                server = start(config, authenticator, ssl);
            } catch (Exception e) {
                started.completeExceptionally(e);
                throw e;
            }
            started.complete(server);
            server.terminated.await();
        }
        return 0;
    }

    /**
     * {@code log-level}: the level of Tern's loggers and of every other the built-in configuration does not
     * set itself (Netty's and Bouncy Castle's stay at INFO).
     */
    static void logLevel(String level) {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            ch.qos.logback.classic.Level chosen =
                    ch.qos.logback.classic.Level.toLevel(level, ch.qos.logback.classic.Level.INFO);
            context.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME).setLevel(chosen);
            context.getLogger("dev.tern").setLevel(chosen);
        }
    }

    /** Exits at once with status 70 (EX_SOFTWARE): the spool writer stopped, and no mail can be taken. */
    private static void exitForGood() {
        log.error(
                "tern: the spool writer stopped, so no mail can be taken: exiting with status 70 to be started again");
        flushLogs();
        Runtime.getRuntime().halt(70);
    }

    /** Log lines are written by a background appender: let it finish before the JVM halts. */
    private static void flushLogs() {
        if (LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context) {
            context.stop();
        }
    }

    /** Opens the spool and binds every listener; fails (and releases what it took) if one cannot bind. */
    public static TernServer start(TernConfig config, Authenticator authenticator, SslContext sslContext)
            throws Exception {
        TernMetrics metrics = new TernMetrics(
                config.listeners().stream().map(ListenerConfig::name).toList());
        // A writer stopped for good (a fault of the JVM, not of the disk, which only fails batches) would leave every
        // DATA waiting: exit instead, so that whatever supervises Tern starts it again. Every message acknowledged
        // is on disk; one being written was never acknowledged.
        metrics.spool().whenWriterStops(TernServer::exitForGood);
        // One clock after 250: the spool stamps arrivals with it, the queue reckons ages and retries by it.
        Clock clock = Clock.systemUTC();
        Spool spool;
        try {
            spool = Spool.open(
                    config.spool().directory(),
                    SpoolOptions.defaults()
                            .withSegmentSize(config.spool().segmentSize())
                            .withMaxBatch(config.spool().maxBatch(), SpoolOptions.DEFAULT_MAX_BATCH_BYTES)
                            .withCommitDelay(config.spool().commitDelay())
                            .withListener(metrics.spool())
                            .withClock(clock));
        } catch (Exception e) {
            metrics.close();
            throw e;
        }
        EventLoops loops = EventLoops.create();
        SessionRegistry registry = new SessionRegistry();
        TernServer server = new TernServer(config, loops, spool, registry, metrics);
        try {
            if (config.management().enabled()) {
                // Read before delivery starts or a port is bound: a bad line is the operator's to fix, said in one
                // line with the exit code of a bad configuration, and nothing ran meanwhile.
                server.adminTokens = AdminTokens.open(config.management().adminTokenFile());
            }
            // One signer for the sessions and for Tern's own reports (DSNs); the same wall clock stamps t=
            // as the sessions' Date and Received fields.
            server.dkim = DkimSigning.start(config.dkim(), metrics.dkim(), Clock.systemUTC());
            server.delivery = Delivery.start(config, spool, loops, metrics.delivery(), server.dkim.signer, clock);
            server.diskSpace = SpoolDiskSpace.watch(
                    config.spool().directory(), config.spool().minFreeSpace());
            server.heap = HeapWatch.start();
            metrics.bindQueue(server.delivery.scheduler, clock);
            metrics.bindEventLoops("accept", loops.acceptors());
            metrics.bindEventLoops("io", loops.workers());
            server.bind(authenticator, sslContext);
            server.startManagement();
            // Only now: a start that fails (a port taken) must not have delivered any of the queue.
            server.delivery.begin(config.delivery().enabled());
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    private void bind(Authenticator authenticator, SslContext sslContext) throws IOException, InterruptedException {
        var limits = config.limits();
        RecipientPolicy policy = new RecipientPolicy(
                delivery.mailboxes, config.relay().domains(), config.relay().recipients(), config.relay()::isTrusted);
        ClientLimiter limiter = new ClientLimiter(config.rateLimits(), Ticker.systemTicker());
        metrics.bindLimits(limiter::trackedClients, diskSpace::usable);
        SessionServices services = new SessionServices(
                delivery.scheduler,
                dkim.signer,
                authenticator,
                sslContext,
                policy,
                new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerIp()),
                limiter,
                diskSpace,
                heap,
                new SenderOwnership(
                        delivery.mailboxes,
                        config.local().domains(),
                        config.auth().senders()),
                new InflightBudget(
                        limits.maxInflightBytes(),
                        InflightBudget.shareOf(limits.maxInflightBytes(), limits.maxMessageSize())),
                registry,
                Clock.systemDefaultZone(),
                metrics.sessions());
        AtomicLong sessionCounter = new AtomicLong();
        for (ListenerConfig listener : config.listeners()) {
            metrics.bindListener(listener.name(), () -> accepting(listener.name()));
        }
        for (ListenerConfig listener : config.listeners()) {
            ListenerSockets sockets = ListenerSockets.bind(
                    loops,
                    listener.address(),
                    listener.port(),
                    new SmtpServerInitializer(ListenerSettings.of(config, listener), services, sessionCounter));
            listeners.put(listener.name(), sockets);
            log.info(
                    "listening name={} mode={} address={} transport={} sockets={}",
                    listener.name(),
                    listener.mode().name().toLowerCase(java.util.Locale.ROOT),
                    sockets.address(),
                    loops.transport(),
                    sockets.sockets());
        }
    }

    /** The HTTP listener for /metrics and /health/* (docs/metrics.md), unless switched off. */
    private void startManagement() throws InterruptedException, BindException {
        var m = config.management();
        if (!m.enabled()) {
            return;
        }
        Readiness readiness = new Readiness(List.of(
                new Readiness.Check("listeners", this::listenersBound),
                new Readiness.Check(
                        "draining",
                        () -> delivery.scheduler.admin().drainProgress().isEmpty()),
                new Readiness.Check("spool", () -> metrics.spool().writable(System.nanoTime(), SPOOL_FAILURE_WINDOW)),
                // Below the reserve every MAIL is refused: a balancer should send clients elsewhere.
                new Readiness.Check("disk", () -> diskSpace.headroom() > 0),
                // Likewise with the heap nearly full.
                new Readiness.Check("memory", () -> !heap.full()),
                new Readiness.Check(
                        "dns", () -> metrics.delivery().dnsAnswering(System.nanoTime(), DNS_TIMEOUT_WINDOW))));
        AdminRouter router = new AdminRouter(metrics.admin());
        QueueRoutes.addTo(router, delivery.scheduler.admin(), Clock.systemUTC(), this::drainTarget);
        DestinationRoutes.addTo(router, delivery.scheduler.destinations(), Clock.systemUTC());
        try {
            management = ManagementServer.start(
                    m.address(),
                    m.port(),
                    loops.acceptors(),
                    loops.workers(),
                    loops.serverChannel(),
                    metrics::scrape,
                    readiness,
                    new AdminHandler(adminTokens, router, metrics.admin()));
        } catch (IOException e) {
            throw ListenerSockets.cannotListen(m.address(), m.port(), " (management)", e);
        }
        log.info("management listening address={} admin-token-file={}", management.address(), adminTokens.file());
    }

    /**
     * Where a drain hands the queue over: the SMTP listeners close first (new connections are refused, so
     * senders go to the next MX host or the balancer's next node; sessions open now end as they would).
     */
    private java.util.concurrent.CompletionStage<dev.tern.relay.queue.Deliverer> drainTarget(
            String host, int port, dev.tern.relay.client.ClientRoute route) {
        log.info("draining: closing the SMTP listeners, handing the queue over to {}:{}", host, port);
        listeners.values().forEach(ListenerSockets::closeAsync);
        return delivery.handover(host, port, route);
    }

    /** The named listener is bound and open: it accepts connections. */
    private boolean accepting(String name) {
        ListenerSockets sockets = listeners.get(name);
        return sockets != null && sockets.accepting();
    }

    /** Every configured SMTP listener is bound and Tern is not shutting down. */
    private boolean listenersBound() {
        if (stopped.get() || listeners.size() != config.listeners().size()) {
            return false;
        }
        for (String name : listeners.keySet()) {
            if (!accepting(name)) {
                return false;
            }
        }
        return true;
    }

    /** The bound address of a listener (its port when configured as 0). */
    public InetSocketAddress address(String listenerName) {
        ListenerSockets sockets = listeners.get(listenerName);
        if (sockets == null) {
            throw new IllegalArgumentException("no listener " + listenerName);
        }
        return sockets.address();
    }

    /** The bound address of the management listener (its port when configured as 0). */
    public InetSocketAddress managementAddress() {
        if (management == null) {
            throw new IllegalStateException("the management listener is not enabled");
        }
        return management.address();
    }

    /** Every meter of this server. */
    public io.micrometer.core.instrument.MeterRegistry meterRegistry() {
        return metrics.registry();
    }

    public Spool spool() {
        return spool;
    }

    /** The scheduling queue: messages being delivered or waiting for a retry. */
    public dev.tern.relay.queue.DeliveryScheduler queue() {
        return delivery.scheduler;
    }

    /** Stop accepting, drain sessions within the grace period, close the spool. Idempotent. */
    public void shutdown() {
        if (!stopped.compareAndSet(false, true)) {
            awaitTermination();
            return;
        }
        log.info("shutting down: {} sessions open, grace {}", registry.size(), config.shutdownGrace());
        // Sessions finish their transactions and attempts under way end within the same grace.
        long graceEnds = System.nanoTime() + config.shutdownGrace().toNanos();
        if (delivery != null) {
            // What the sessions still finishing hand over waits in the spool for the next start.
            delivery.stopAttempts();
        }
        listeners.values().forEach(ListenerSockets::close);
        registry.drain();
        try {
            if (!registry.awaitEmpty(config.shutdownGrace())) {
                log.info("grace period over: closing {} sessions", registry.size());
                registry.closeAll();
                registry.awaitEmpty(Duration.ofSeconds(2));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (delivery != null) {
            Duration left = Duration.ofNanos(graceEnds - System.nanoTime());
            delivery.close(left.compareTo(LAST_ATTEMPT_WAIT) > 0 ? left : LAST_ATTEMPT_WAIT);
        }
        // After delivery: its last reports may still be signed.
        if (dkim != null) {
            dkim.close();
        }
        if (management != null) {
            management.close();
        }
        if (adminTokens != null) {
            adminTokens.close();
        }
        loops.shutdown();
        if (heap != null) {
            heap.close();
        }
        if (diskSpace != null) {
            diskSpace.close();
        }
        closeSpool();
        metrics.close();
        log.info("stopped");
        terminated.countDown();
    }

    private void awaitTermination() {
        try {
            terminated.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void closeSpool() {
        try {
            spool.close();
        } catch (Exception e) {
            log.warn("spool close failed: {}", e.toString());
        }
    }

    @Override
    public void close() {
        shutdown();
    }
}
