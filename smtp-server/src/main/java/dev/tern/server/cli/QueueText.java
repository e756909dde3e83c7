package dev.tern.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;

/**
 * The admin API's queue answers as text for people: {@code mailq}'s layout for a list (queue id with
 * {@code !} when held, size, arrival time, sender, then each recipient with its state and, when it
 * failed or waits, the reason in parentheses), {@code postcat -q}'s sections for one message.
 */
final class QueueText {
    private static final DateTimeFormatter ARRIVAL =
            DateTimeFormatter.ofPattern("EEE MMM ppd HH:mm:ss", Locale.ROOT).withZone(ZoneId.systemDefault());

    private QueueText() {}

    /** {@code filtered}: the page answers a filter, whose total is of the messages it matched, not the queue's. */
    static String list(JsonNode page, boolean filtered) {
        JsonNode messages = page.get("messages");
        int total = page.get("total").asInt();
        if (total == 0) {
            return filtered ? "No message in the queue matches\n" : "Mail queue is empty\n";
        }
        Table table = new Table("Queue ID", "Size>", "Arrival Time", "Sender/Recipient");
        long bytes = 0;
        for (JsonNode m : messages) {
            String mark = m.get("state").asText().equals("held")
                    ? "!"
                    : m.get("state").asText().equals("active") ? "*" : "";
            bytes += m.get("message_size").asLong();
            table.row(
                    m.get("queue_id").asText() + mark,
                    m.get("message_size").asText(),
                    ARRIVAL.format(Instant.parse(m.get("arrival_time").asText())),
                    sender(m.get("sender").asText()));
            for (JsonNode r : m.get("recipients")) {
                String state = r.get("state").asText();
                if (!r.get("delay_reason").isNull()) {
                    table.row("", "", "", "(" + r.get("delay_reason").asText() + ")");
                }
                table.row("", "", "", r.get("address").asText() + (state.equals("pending") ? "" : "  [" + state + "]"));
            }
        }
        StringBuilder out = new StringBuilder(table.render());
        int shown = messages.size();
        out.append("\n-- ")
                .append((bytes + 1023) / 1024)
                .append(" Kbytes in ")
                .append(shown)
                .append(shown == 1 ? " Request." : " Requests.");
        if (shown < total) {
            out.append(" (")
                    .append(total)
                    .append(" in all; from ")
                    .append(page.get("offset").asInt() + 1)
                    .append(", see --offset and --limit)");
        }
        return out.append('\n').toString();
    }

    static String show(JsonNode m) {
        StringBuilder out = new StringBuilder();
        out.append("*** ENVELOPE ***\n");
        field(out, "queue_id", m.get("queue_id").asText());
        field(out, "state", m.get("state").asText());
        field(out, "arrival_time", m.get("arrival_time").asText());
        field(out, "message_size", m.get("message_size").asText());
        field(out, "sender", sender(m.get("sender").asText()));
        JsonNode envelope = m.get("envelope");
        envelope.fieldNames().forEachRemaining(name -> {
            if (!envelope.get(name).isNull()) {
                field(out, name, envelope.get(name).asText());
            }
        });
        out.append("*** RECIPIENTS ***\n");
        Table table = new Table("Recipient", "State", "Attempts>", "Next attempt", "Last outcome");
        for (JsonNode r : m.get("recipients")) {
            JsonNode last = r.get("last_attempt");
            table.row(
                    r.get("address").asText(),
                    r.get("state").asText() + (r.get("in_attempt").asBoolean() ? " (in attempt)" : ""),
                    r.get("attempts").asText(),
                    r.get("next_attempt").isNull() ? "-" : r.get("next_attempt").asText(),
                    last.isNull()
                            ? "-"
                            : last.get("status").asText() + " "
                                    + last.get("diagnostic").asText());
        }
        out.append(table.render());
        out.append("*** HEADER SECTION ***\n");
        JsonNode headers = m.get("headers");
        out.append(headers.isNull() ? "(could not be read)\n" : headers.asText().replace("\r\n", "\n"));
        if (m.get("headers_truncated").asBoolean()) {
            out.append("(cut after 64 KiB)\n");
        }
        return out.toString();
    }

    /** What an action did, in one line. */
    static String action(JsonNode a) {
        String target = a.get("target").asText();
        String outcome = a.get("outcome").asText();
        if (a.get("action").asText().matches("flush|requeue") || target.equals("all") || target.startsWith("domain=")) {
            return target + ": " + outcome + ": " + a.get("messages").asInt() + " message(s), "
                    + a.get("recipients").asInt() + " recipient(s)";
        }
        return target + ": " + outcome;
    }

    /** A drain's progress in one line. */
    static String drain(JsonNode d) {
        return "drain to " + d.get("target").asText() + ": "
                + (d.get("finished").asBoolean() ? "finished" : "running")
                + ": " + d.get("handed_over").asInt() + " of "
                + d.get("messages").asInt()
                + " message(s) handed over (" + d.get("recipients").asInt() + " recipient(s)), "
                + d.get("refused").asInt() + " recipient(s) refused, "
                + d.get("failed").asInt()
                + " failed, " + d.get("left").asInt() + " message(s) left\n";
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value).append('\n');
    }

    /** The null reverse-path as Postfix's mailq writes it. */
    private static String sender(String sender) {
        return sender.isEmpty() ? "MAILER-DAEMON" : sender;
    }
}
