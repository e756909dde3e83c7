package dev.tern.server.management;

import dev.tern.relay.queue.QueueAdmin;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.smtp.MailParameters;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The queue as the admin API writes it: field names in snake_case after Postfix's {@code postqueue -j}
 * ({@code queue_id}, {@code arrival_time}, {@code message_size}, {@code sender}, {@code recipients} with
 * {@code address} and {@code delay_reason}), times as RFC 3339 UTC text, plus Tern's own fields.
 * Documented in docs/operations.md.
 */
final class QueueJson {
    private QueueJson() {}

    static Map<String, Object> page(QueueAdmin.Page page, QueueAdmin.Order order, long now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", page.total());
        out.put("offset", page.offset());
        out.put("limit", page.limit());
        out.put("order", order.name().toLowerCase(Locale.ROOT));
        List<Object> messages = new ArrayList<>(page.entries().size());
        page.entries().forEach(e -> messages.add(entry(e, now)));
        out.put("messages", messages);
        return out;
    }

    static Map<String, Object> detail(QueueAdmin.Detail detail, long now) {
        Map<String, Object> out = entry(detail.entry(), now);
        MailParameters p = detail.parameters();
        Map<String, Object> envelope = new LinkedHashMap<>();
        envelope.put("size_declared", p.size() < 0 ? null : p.size());
        envelope.put(
                "body",
                switch (p.body()) {
                    case SEVEN_BIT -> "7bit";
                    case EIGHT_BIT_MIME -> "8bitmime";
                    case BINARY_MIME -> "binarymime";
                });
        envelope.put("smtputf8", p.smtpUtf8());
        envelope.put("ret", p.ret() == null ? null : p.ret().name().toLowerCase(Locale.ROOT));
        envelope.put("envid", p.envId());
        envelope.put("auth", p.auth());
        envelope.put("requiretls", p.requireTls());
        envelope.put("tls_required_no", detail.tlsOptional());
        out.put("envelope", envelope);
        out.put("headers", detail.headers());
        out.put("headers_truncated", detail.headersTruncated());
        return out;
    }

    static Map<String, Object> entry(QueueAdmin.Entry e, long now) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("queue_id", e.id().value());
        out.put("state", e.state().key());
        out.put("sender", e.sender());
        out.put("message_size", e.size());
        out.put("arrival_time", time(e.arrivalMillis()));
        out.put("age_seconds", Math.max(0, now - e.arrivalMillis()) / 1000);
        int attempts = 0;
        long next = Long.MAX_VALUE;
        LastAttempt lastError = null;
        List<Object> recipients = new ArrayList<>(e.recipients().size());
        for (QueueAdmin.Recipient r : e.recipients()) {
            attempts = Math.max(attempts, r.attempts());
            if (r.state() == RecipientState.Kind.DEFERRED) {
                next = Math.min(next, r.nextAttemptMillis());
            }
            if (!r.state().equals(RecipientState.Kind.DELIVERED)
                    && r.last() != null
                    && (lastError == null || r.last().atMillis() >= lastError.atMillis())) {
                lastError = r.last();
            }
            recipients.add(recipient(r));
        }
        out.put("attempts", attempts);
        out.put("next_attempt", next == Long.MAX_VALUE ? null : time(next));
        out.put("last_error", lastError == null ? null : reason(lastError));
        out.put("recipients", recipients);
        return out;
    }

    private static Map<String, Object> recipient(QueueAdmin.Recipient r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("address", r.address());
        out.put("state", r.state().name().toLowerCase(Locale.ROOT));
        out.put("in_attempt", r.inAttempt());
        out.put("attempts", r.attempts());
        out.put("next_attempt", r.state() == RecipientState.Kind.DEFERRED ? time(r.nextAttemptMillis()) : null);
        LastAttempt last = r.last();
        boolean failing = last != null && r.state() != RecipientState.Kind.DELIVERED;
        out.put("delay_reason", failing ? reason(last) : null);
        out.put("last_attempt", last == null ? null : lastAttempt(last));
        return out;
    }

    /** Why a recipient waits or failed: the remote reply and who gave it, as Postfix says it, else ours. */
    private static String reason(LastAttempt last) {
        if (last.reply() == null) {
            return last.diagnostic();
        }
        return (last.remoteMta() == null ? "" : "host " + last.remoteMta() + " said: ") + last.reply();
    }

    private static Map<String, Object> lastAttempt(LastAttempt last) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("time", last.atMillis() == 0 ? null : time(last.atMillis()));
        out.put("status", last.status().toString());
        out.put("diagnostic", last.diagnostic());
        out.put("remote_mta", last.remoteMta());
        out.put("reply", last.reply() == null ? null : last.reply().toString());
        return out;
    }

    static Map<String, Object> action(String action, String target, QueueAdmin.Action done) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", action);
        out.put("target", target);
        out.put("outcome", done.outcome());
        out.put("messages", done.messages());
        out.put("recipients", done.recipients());
        return out;
    }

    static Map<String, Object> drain(dev.tern.relay.queue.QueueDrain.Progress p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", "drain");
        out.put("target", p.target());
        out.put("finished", p.finished());
        out.put("messages", p.messages());
        out.put("handed_over", p.handedOver());
        out.put("recipients", p.recipients());
        out.put("refused", p.refused());
        out.put("failed", p.failed());
        out.put("left", p.left());
        return out;
    }

    private static String time(long millis) {
        return Instant.ofEpochMilli(millis).toString();
    }
}
