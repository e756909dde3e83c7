package dev.tern.relay.client;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.SmtpReply;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The words of the one log line each attempt to one host writes: the peer as {@code host[ip]:port}
 * (Postfix's {@code relay=} form), then what came of it, each remote reply with its enhanced code
 * (RFC 3463) as the server sent it.
 */
final class AttemptLog {
    private AttemptLog() {}

    /** {@code mx.example.org[192.0.2.1]:25}; an IPv6 address goes in the brackets as it is. */
    static String peer(String hostName, InetSocketAddress address) {
        String ip = address.getAddress() != null ? address.getAddress().getHostAddress() : address.getHostString();
        return hostName + "[" + ip + "]:" + address.getPort();
    }

    /** A reply on one line: {@code 550 5.1.1 first line second line}. */
    static String reply(SmtpReply reply) {
        StringBuilder text = new StringBuilder().append(reply.code());
        if (reply.status() != null) {
            text.append(' ').append(reply.status());
        }
        for (String line : reply.bounded(SmtpReply.MAX_KEPT_TEXT).lines()) {
            if (!line.isEmpty()) {
                text.append(' ').append(line);
            }
        }
        return text.toString();
    }

    /**
     * {@code delivered=1 deferred=0 failed=1: 250 2.0.0 Ok: queued as X (1); 550 5.1.1 no such user (1)}:
     * the counts, then each distinct reply (or reason, where no reply decided) with how many recipients
     * it decided; or {@code host failed 4.4.1 connection refused}.
     */
    static String summary(AttemptResult result) {
        return switch (result) {
            case HostFailed f -> "host failed " + f.enhancedStatus() + " " + f.diagnostic();
            case Completed c -> {
                Map<DeliveryStatus, Integer> counts = new EnumMap<>(DeliveryStatus.class);
                Map<String, Integer> reasons = new LinkedHashMap<>();
                for (RecipientOutcome o : c.outcomes()) {
                    counts.merge(o.status(), 1, Integer::sum);
                    String reason = o.remoteReply() != null
                            ? reply(o.remoteReply())
                            : o.enhancedStatus() + " " + o.diagnostic();
                    reasons.merge(reason, 1, Integer::sum);
                }
                StringJoiner why = new StringJoiner("; ");
                reasons.forEach((reason, n) -> why.add(reason + " (" + n + ")"));
                yield "delivered=" + counts.getOrDefault(DeliveryStatus.DELIVERED, 0)
                        + " deferred=" + counts.getOrDefault(DeliveryStatus.TEMPORARY, 0)
                        + " failed=" + counts.getOrDefault(DeliveryStatus.PERMANENT, 0)
                        + ": " + why;
            }
        };
    }
}
