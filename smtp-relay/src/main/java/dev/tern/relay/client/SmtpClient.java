package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.client.SessionSetup.Result;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.metrics.DeliveryMetrics;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers messages to SMTP servers over Netty, one attempt to one host at a time, reusing idle
 * connections to the same address and route. Never blocks: every step runs on the event loop of its
 * connection.
 */
public final class SmtpClient implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(SmtpClient.class);

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final SmtpClientOptions options;
    private final ConnectionPool pool = new ConnectionPool();
    private final DeliveryMetrics metrics;

    public SmtpClient(EventLoopGroup group, Class<? extends Channel> channelClass, SmtpClientOptions options) {
        this(group, channelClass, options, DeliveryMetrics.NOOP);
    }

    /** @param metrics told of pool hits and misses, of every new session's TLS, and of TLS failures */
    public SmtpClient(
            EventLoopGroup group,
            Class<? extends Channel> channelClass,
            SmtpClientOptions options,
            DeliveryMetrics metrics) {
        this.group = group;
        this.channelClass = channelClass;
        this.options = options;
        this.metrics = metrics;
    }

    /** One attempt to one host; never throws; completes on some event loop thread (callers hop if needed). */
    public CompletionStage<AttemptResult> deliver(
            InetSocketAddress address, String hostName, ClientRoute route, DeliveryRequest request) {
        Attempt attempt = new Attempt(PoolKey.of(address, route, hostName), hostName, request);
        try {
            ClientConnection pooled = pool.take(attempt.key);
            metrics.connectionReuse(pooled != null);
            if (pooled != null) {
                pooled.eventLoop().execute(() -> reuse(attempt, pooled));
            } else {
                connect(attempt, true);
            }
        } catch (RuntimeException e) {
            // A bug or a refused task (group shutting down): still an answer, never an exception.
            attempt.finish(HostFailed.temporary("4.4.0", "client error: " + e), "-");
        }
        return attempt.result;
    }

    /** Closes pooled connections with QUIT. The event loop group is the caller's. */
    @Override
    public void close() {
        pool.close();
    }

    private void reuse(Attempt attempt, ClientConnection connection) {
        if (!connection.needsReset()) {
            // The last transaction ended with its content taken, which left the server's state clear.
            transact(attempt, connection, true);
            return;
        }
        connection.reset().thenAccept(ok -> {
            if (ok) {
                transact(attempt, connection, false);
            } else {
                // The server dropped the idle connection or refused RSET: start afresh, unnoticed.
                connection.quit();
                connect(attempt, true);
            }
        });
    }

    private void connect(Attempt attempt, boolean mayStartTls) {
        ClientRoute route = attempt.key.route();
        InetSocketAddress address = attempt.key.address();
        ClientInitializer.TlsFactory tlsFactory = ch -> newTlsHandler(ch, route, attempt.hostName, address);
        ClientSessionHandler session = new ClientSessionHandler();
        boolean implicit = route.tls() == ClientRoute.TlsMode.IMPLICIT;
        SessionSetup setup =
                new SessionSetup(session, options, route, attempt.hostName, implicit, mayStartTls, tlsFactory);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int)
                        options.connectTimeout().toMillis())
                .handler(new ClientInitializer(session, implicit ? tlsFactory : null));
        ChannelFuture registering = bootstrap.register();
        Channel channel = registering.channel();
        registering.addListener(registered -> {
            if (!registered.isSuccess()) {
                attempt.finish(HostFailed.temporary("4.4.1", "cannot open a channel: " + registered.cause()), "-");
                return;
            }
            // On the channel's event loop from here on: the greeting is awaited before any byte can come.
            setup.run(channel).thenAccept(outcome -> established(attempt, mayStartTls, channel, session, outcome));
            long started = System.nanoTime();
            channel.connect(address).addListener(f -> {
                if (f.isSuccess()) {
                    options.connectLatency()
                            .accept(address.getAddress(), Duration.ofNanos(System.nanoTime() - started));
                } else {
                    // RFC 5321 4.4.1: no answer at this address; the next MX host may do.
                    session.connectFailed(f.cause());
                }
            });
        });
    }

    private void established(
            Attempt attempt, boolean mayStartTls, Channel channel, ClientSessionHandler session, Result outcome) {
        ClientRoute route = attempt.key.route();
        if (outcome instanceof Result.Failed failed && failed.tlsFailed()) {
            metrics.outboundTlsFailed();
        }
        switch (outcome) {
            case Result.Ready ready -> {
                metrics.outboundConnection(ready.tls());
                transact(
                        attempt,
                        new ClientConnection(
                                channel, session, options, attempt.key, ready.ehlo(), ready.tls(), mayStartTls),
                        false);
            }
            case Result.Failed failed
            when failed.tlsFailed() && mayStartTls && route.tls() == ClientRoute.TlsMode.OPPORTUNISTIC -> {
                // Opportunistic TLS (RFC 7435 6) must not make delivery worse than plaintext.
                log.info(
                        "id={} peer={}: {}; retrying without STARTTLS",
                        attempt.request.id(),
                        attempt.peer(),
                        failed.failure().diagnostic());
                connect(attempt, false);
            }
            case Result.Failed failed -> attempt.finish(failed.failure(), "-");
        }
    }

    /**
     * @param unchecked the connection came from the pool with no RSET: if the server dropped it meanwhile
     *     (MAIL unanswered, or a 421), the attempt goes on over a new connection, as after a failed RSET
     */
    private void transact(Attempt attempt, ClientConnection connection, boolean unchecked) {
        // "verified": the server was authenticated (trusted roots and its name, or DANE), as REQUIRETLS needs.
        String tls = connection.verifiedTls() ? "verified" : connection.tls() ? "yes" : "no";
        connection.transact(attempt.request, attempt.hostName).whenComplete((result, error) -> {
            if (error == null && unchecked && connection.unanswered()) {
                connection.quit();
                connect(attempt, true);
            } else if (error != null) {
                connection.quit();
                attempt.finish(HostFailed.temporary("4.4.0", "client error: " + error), tls);
            } else {
                if (connection.mayReuse()) {
                    pool.offer(connection);
                } else {
                    connection.quit();
                }
                attempt.finish(result, tls);
            }
        });
    }

    private SslHandler newTlsHandler(Channel ch, ClientRoute route, String hostName, InetSocketAddress address) {
        SslContext context = route.requireVerifiedTls() ? options.verifiedTls() : options.opportunisticTls();
        // The host name is the MX name (or smarthost): it is what a verified certificate must match.
        SslHandler tls = context.newHandler(ch.alloc(), hostName, address.getPort());
        tls.setHandshakeTimeout(options.commandTimeout().toMillis(), TimeUnit.MILLISECONDS);
        return tls;
    }

    /** One call to deliver: its key, its answer, and the log line written when it completes. */
    private static final class Attempt {
        final PoolKey key;
        final String hostName;
        final DeliveryRequest request;
        final CompletableFuture<AttemptResult> result = new CompletableFuture<>();

        Attempt(PoolKey key, String hostName, DeliveryRequest request) {
            this.key = key;
            this.hostName = hostName;
            this.request = request;
        }

        String peer() {
            return AttemptLog.peer(hostName, key.address());
        }

        void finish(AttemptResult outcome, String tls) {
            if (result.isDone()) {
                return;
            }
            log.info("id={} peer={} tls={}: {}", request.id(), peer(), tls, AttemptLog.summary(outcome));
            result.complete(outcome);
        }
    }
}
