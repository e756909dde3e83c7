package dev.tern.server.smtp;

import dev.tern.server.auth.Authenticator;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.address.LocalMailboxes;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** Builds sessions for tests: the real pipeline on an {@link EmbeddedChannel}, with fakes behind our interfaces. */
final class TestSessions {
    private TestSessions() {}

    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);

    /** Accepts user "alice" with password "secret". */
    static final Authenticator ALICE =
            (user, password) -> CompletableFuture.completedFuture(user.equals("alice") && password.equals("secret"));

    /** mx.test with a 10,000-octet size limit, 3 recipients, 5 errors and no minimum data rate. */
    static ListenerSettings settings(boolean submission) {
        TernConfig config = ConfigLoader.fromYaml(
                """
                hostname: mx.test
                limits: {max-message-size: 10000, max-recipients: 3, max-errors: 5}
                timeouts: {min-data-rate: 0}
                """,
                Map.of());
        return ListenerSettings.of(
                config, config.listener(submission ? "submission" : "mx").orElseThrow());
    }

    static SessionServices services(RecordingQueue queue, SslContext ssl, boolean trustLoopback) {
        return services(queue, ssl, trustLoopback, SessionMetrics.NOOP);
    }

    static SessionServices services(
            RecordingQueue queue, SslContext ssl, boolean trustLoopback, SessionMetrics metrics) {
        RecipientPolicy policy = new RecipientPolicy(
                new LocalMailboxes(
                        List.of("local.test"),
                        List.of("alice@local.test", "bob@local.test"),
                        Map.of("info", "alice@local.test"),
                        "+",
                        "",
                        "mx.test"),
                List.of("relay.test"),
                List.of("bob@relay.test"),
                (InetAddress a) -> trustLoopback);
        return new SessionServices(
                queue,
                ALICE,
                ssl,
                policy,
                new ConnectionLimiter(100, 10),
                new InflightBudget(1 << 20),
                new SessionRegistry(),
                CLOCK,
                metrics);
    }

    static EmbeddedChannel channel(ListenerSettings settings, SessionServices services) {
        return new EmbeddedChannel(new SmtpServerInitializer(settings, services, new AtomicLong()));
    }
}
