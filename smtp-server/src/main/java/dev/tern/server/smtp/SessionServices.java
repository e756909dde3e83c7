package dev.tern.server.smtp;

import dev.tern.server.auth.Authenticator;
import dev.tern.server.limit.ClientLimiter;
import dev.tern.server.metrics.SessionMetrics;
import dev.tern.smtp.queue.MailQueue;
import dev.tern.smtp.queue.Signer;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.Objects;

/**
 * What every session of the server shares: the queue it hands messages to, the signer of its users' mail
 * (DKIM), the credential check,
 * TLS material (null when TLS is unavailable), the recipient and sender policies, the connection caps and
 * rate limiter, the global bounds (memory, spool space) and the metrics recorder.
 */
public record SessionServices(
        MailQueue queue,
        Signer signer,
        Authenticator authenticator,
        SslContext sslContext,
        RecipientPolicy recipientPolicy,
        ConnectionLimiter connectionLimiter,
        ClientLimiter limiter,
        SpoolSpace spoolSpace,
        HeapRoom heapRoom,
        SenderOwnership senderOwnership,
        InflightBudget inflightBudget,
        SessionRegistry registry,
        Clock clock,
        SessionMetrics metrics) {

    public SessionServices {
        Objects.requireNonNull(queue, "queue");
        Objects.requireNonNull(signer, "signer");
        Objects.requireNonNull(authenticator, "authenticator");
        Objects.requireNonNull(recipientPolicy, "recipientPolicy");
        Objects.requireNonNull(connectionLimiter, "connectionLimiter");
        Objects.requireNonNull(limiter, "limiter");
        Objects.requireNonNull(spoolSpace, "spoolSpace");
        Objects.requireNonNull(heapRoom, "heapRoom");
        Objects.requireNonNull(senderOwnership, "senderOwnership");
        Objects.requireNonNull(inflightBudget, "inflightBudget");
        Objects.requireNonNull(registry, "registry");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
    }
}
