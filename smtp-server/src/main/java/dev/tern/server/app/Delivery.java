package dev.tern.server.app;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.client.SmtpClientOptions;
import dev.tern.relay.dns.ConnectLatency;
import dev.tern.relay.dns.DnsMailExchangerResolver;
import dev.tern.relay.dns.HostSelector;
import dev.tern.relay.dns.MxResolverOptions;
import dev.tern.relay.dsn.DsnBouncer;
import dev.tern.relay.dsn.DsnBuilder;
import dev.tern.relay.local.MaildirDelivery;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.relay.metrics.MeteredBouncer;
import dev.tern.relay.metrics.MeteredDeliverer;
import dev.tern.relay.queue.DeliveryScheduler;
import dev.tern.relay.queue.RetryPolicy;
import dev.tern.relay.route.Router;
import dev.tern.relay.route.Smarthost;
import dev.tern.relay.spool.Spool;
import dev.tern.server.config.DeliveryConfig;
import dev.tern.server.config.DnsServer;
import dev.tern.server.config.RouteSpec;
import dev.tern.server.config.TernConfig;
import dev.tern.smtp.address.LocalMailboxes;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Everything after 250, assembled from the configuration: the scheduling queue over the spool, the
 * router, Maildir, the resolver and the SMTP client on the server's event loops.
 */
final class Delivery implements AutoCloseable {
    final DeliveryScheduler scheduler;
    /** Who lives here: the rule Maildir delivery follows, handed to the inbound side's RCPT too. */
    final LocalMailboxes mailboxes;

    private final SmtpClient client;
    private final ExecutorService blocking;

    private Delivery(
            DeliveryScheduler scheduler, LocalMailboxes mailboxes, SmtpClient client, ExecutorService blocking) {
        this.scheduler = scheduler;
        this.mailboxes = mailboxes;
        this.client = client;
        this.blocking = blocking;
    }

    static Delivery start(TernConfig config, Spool spool, EventLoops loops, DeliveryMetrics metrics) {
        DeliveryConfig d = config.delivery();
        Clock clock = Clock.systemDefaultZone();
        ExecutorService blocking = blockingPool();
        ConnectLatency latency = new ConnectLatency();
        SmtpClientOptions defaults = SmtpClientOptions.defaults(config.hostname());
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
                defaults.verifiedTls(),
                latency::record);
        SmtpClient client = new SmtpClient(loops.workers(), loops.clientChannel(), options, metrics);
        var selfNames = new HashSet<String>();
        selfNames.add(config.hostname().toLowerCase(Locale.ROOT));
        MxResolverOptions dns = MxResolverOptions.defaults()
                .withServers(config.dns().servers().stream()
                        .map(DnsServer::socketAddress)
                        .toList())
                .withTimeout(config.dns().timeout(), 1)
                .withLimits(d.maxMxHosts(), 3)
                .withSelf(selfNames::contains, OwnAddresses.of(config.listeners())::contains);
        Map<String, Smarthost> routes = smarthosts(d.routes());
        var localDomains = new HashSet<>(config.local().domains());
        LocalMailboxes mailboxes = config.local().rule(config.hostname());
        Router router = new Router(
                localDomains,
                new MaildirDelivery(config.dataDir().resolve("mail"), mailboxes, blocking, config.hostname(), clock),
                routes,
                new DnsMailExchangerResolver(dns, metrics),
                new HostSelector(d.port(), d.preferLowLatency(), latency, new SplittableRandom()),
                client,
                blocking);
        DeliveryScheduler scheduler = new DeliveryScheduler(
                spool,
                new MeteredDeliverer(router, domain -> kindOf(domain, localDomains, routes), metrics),
                new MeteredBouncer(new DsnBouncer(new DsnBuilder(config.hostname(), clock), mailboxes), metrics),
                new RetryPolicy(d.firstRetry(), d.maxRetry(), d.queueLifetime(), d.delayWarning()),
                d.maxConnections(),
                d.maxConnectionsPerDestination(),
                clock);
        if (d.enabled()) {
            scheduler.start();
        }
        return new Delivery(scheduler, mailboxes, client, blocking);
    }

    /** The router's own rule (local domain, then route, then MX), for metrics. */
    private static DeliveryMetrics.Kind kindOf(
            String domain, java.util.Set<String> localDomains, Map<String, Smarthost> routes) {
        if (localDomains.contains(domain)) {
            return DeliveryMetrics.Kind.LOCAL;
        }
        return routes.containsKey(domain) ? DeliveryMetrics.Kind.SMARTHOST : DeliveryMetrics.Kind.MX;
    }

    /** File system and name-service work of the delivery side: bounded, never an event loop. */
    private static ExecutorService blockingPool() {
        AtomicInteger n = new AtomicInteger();
        return new ThreadPoolExecutor(4, 4, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(10_000), r -> {
            Thread t = new Thread(r, "tern-delivery-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
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
            String password = spec.passwordFile() == null ? null : readPassword(spec);
            out.put(
                    domain,
                    new Smarthost(
                            spec.host(), spec.port(), new ClientRoute(tls, spec.verify(), spec.username(), password)));
        });
        return out;
    }

    private static String readPassword(RouteSpec spec) {
        try {
            List<String> lines = Files.readAllLines(spec.passwordFile(), StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read password file " + spec.passwordFile(), e);
        }
    }

    @Override
    public void close() {
        scheduler.close();
        client.close();
        blocking.shutdown();
    }
}
