package dev.tern.server.smtp;

import dev.tern.server.auth.Authenticator;
import dev.tern.server.metrics.SessionMetrics;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
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

    /** Header limits well below the 10,000-octet message limit, so tests can cross them. */
    static final int HEADER_SIZE = 3_000;

    static final int HEADER_FIELDS = 60;

    static ListenerSettings settings(boolean submission) {
        return new ListenerSettings(
                submission ? "submission" : "mx",
                "mx.test",
                false,
                submission,
                512,
                1000,
                10_000,
                3,
                5,
                50,
                Duration.ofMinutes(5),
                Duration.ofMinutes(3),
                Duration.ofMinutes(10),
                0,
                HEADER_SIZE,
                HEADER_FIELDS);
    }

    static SessionServices services(RecordingQueue queue, SslContext ssl, boolean trustLoopback) {
        return services(queue, ssl, trustLoopback, SessionMetrics.NOOP);
    }

    static SessionServices services(
            RecordingQueue queue, SslContext ssl, boolean trustLoopback, SessionMetrics metrics) {
        RecipientPolicy policy = new RecipientPolicy(
                List.of("local.test"),
                List.of("alice@local.test", "bob@local.test"),
                Map.of("info", "alice@local.test"),
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
