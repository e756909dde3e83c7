package dev.tern.server.smtp;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tern.server.auth.Authenticator;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.RateLimitsConfig;
import dev.tern.server.config.TernConfig;
import dev.tern.server.limit.ClientLimiter;
import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.queue.Signer;
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

    /** Header limits well below the 10,000-octet message limit, so tests can cross them. */
    static final int HEADER_SIZE = 3_000;

    static final int HEADER_FIELDS = 60;

    /**
     * mx.test with a 10,000-octet size limit, 3 recipients, 5 errors, the header limits above and no
     * minimum data rate.
     */
    static ListenerSettings settings(boolean submission) {
        return settings(submission, Map.of());
    }

    /** The same, with {@code TERN_*} overrides as an operator would set them. */
    static ListenerSettings settings(boolean submission, Map<String, String> env) {
        TernConfig config = ConfigLoader.fromYaml(
                """
                hostname: mx.test
                limits: {max-message-size: 10000, max-recipients: 3, max-errors: 5, max-header-size: %d,
                         max-header-fields: %d, forbid-unauth-pipelining: false}
                timeouts: {min-data-rate: 0}
                """
                        .formatted(HEADER_SIZE, HEADER_FIELDS),
                env);
        return ListenerSettings.of(
                config, config.listener(submission ? "submission" : "mx").orElseThrow());
    }

    /** The default rate limits: far above what a test of the session sends. */
    static final RateLimitsConfig RATE_LIMITS =
            ConfigLoader.fromYaml("", Map.of()).rateLimits();

    static SessionServices services(RecordingQueue queue, SslContext ssl, boolean trustLoopback) {
        return services(queue, ssl, trustLoopback, SessionMetrics.NOOP);
    }

    static SessionServices services(
            RecordingQueue queue, SslContext ssl, boolean trustLoopback, SessionMetrics metrics) {
        LocalMailboxes mailboxes = new LocalMailboxes(
                List.of("local.test"),
                List.of("alice@local.test", "bob@local.test"),
                Map.of("info", "alice@local.test"),
                "+",
                "",
                "mx.test");
        RecipientPolicy policy = new RecipientPolicy(
                mailboxes, List.of("relay.test"), List.of("bob@relay.test"), (InetAddress a) -> trustLoopback);
        return new SessionServices(
                queue,
                Signer.NONE,
                ALICE,
                ssl,
                policy,
                new ConnectionLimiter(100, 10),
                new ClientLimiter(RATE_LIMITS, Ticker.systemTicker()),
                SpoolSpace.UNLIMITED,
                HeapRoom.UNLIMITED,
                new SenderOwnership(mailboxes, List.of("local.test"), Map.of()),
                new InflightBudget(1 << 20),
                new SessionRegistry(),
                CLOCK,
                metrics);
    }

    /** {@code services} with {@code signer} in place of {@link Signer#NONE}. */
    static SessionServices withSigner(SessionServices s, Signer signer) {
        return new SessionServices(
                s.queue(),
                signer,
                s.authenticator(),
                s.sslContext(),
                s.recipientPolicy(),
                s.connectionLimiter(),
                s.limiter(),
                s.spoolSpace(),
                s.heapRoom(),
                s.senderOwnership(),
                s.inflightBudget(),
                s.registry(),
                s.clock(),
                s.metrics());
    }

    /** The mx listener's pipeline for a client that is not trusted, recording into {@code metrics}. */
    static EmbeddedChannel channel(RecordingQueue queue, SessionMetrics metrics) {
        return channel(settings(false), services(queue, null, false, metrics));
    }

    static EmbeddedChannel channel(ListenerSettings settings, SessionServices services) {
        return new EmbeddedChannel(new SmtpServerInitializer(settings, services, new AtomicLong()));
    }
}
