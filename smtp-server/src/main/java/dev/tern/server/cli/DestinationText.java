package dev.tern.server.cli;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The admin API's destination answers as text for people: a table for the list (one line each, the
 * outcomes of the last minutes and the suspension last), {@code name: value} lines for one, one line per
 * action.
 */
final class DestinationText {
    private DestinationText() {}

    static String list(JsonNode page) {
        JsonNode all = page.get("destinations");
        if (all.isEmpty()) {
            return "No destinations: nothing queued, attempted lately or suspended\n";
        }
        Table table = new Table(
                "Destination",
                "State",
                "Queued>",
                "Limit>",
                "In flight>",
                "Rate",
                "Delivered>",
                "Deferred>",
                "Failed>",
                "Suspension");
        for (JsonNode d : all) {
            JsonNode recent = d.get("recent");
            table.row(
                    d.get("name").asText(),
                    d.get("state").asText(),
                    d.get("queued").asText(),
                    d.get("concurrency_limit").asText(),
                    d.get("in_flight").asText(),
                    rate(d),
                    recent.get("delivered").asText(),
                    recent.get("deferred").asText(),
                    recent.get("failed").asText(),
                    suspension(d.get("suspension")));
        }
        long minutes = all.get(0).get("recent").get("window_seconds").asLong() / 60;
        return table.render() + "\n-- " + all.size() + (all.size() == 1 ? " destination" : " destinations")
                + "; delivered, deferred and failed count recipients over the last " + minutes + " minutes.\n";
    }

    static String show(JsonNode d) {
        JsonNode recent = d.get("recent");
        StringBuilder out = new StringBuilder();
        field(out, "destination", d.get("name").asText());
        field(out, "state", d.get("state").asText());
        field(out, "queued", d.get("queued").asText() + " message(s)");
        field(
                out,
                "concurrency",
                d.get("in_flight").asText() + " in flight, limit "
                        + d.get("concurrency_limit").asText());
        field(out, "rate", rate(d));
        field(
                out,
                "last " + recent.get("window_seconds").asLong() / 60 + " minutes",
                recent.get("delivered").asText() + " delivered, "
                        + recent.get("deferred").asText() + " deferred, "
                        + recent.get("failed").asText() + " failed");
        JsonNode s = d.get("suspension");
        if (!s.isNull()) {
            field(out, "suspended since", s.get("since").asText());
            field(out, "suspension", suspension(s));
        }
        return out.toString();
    }

    /** What suspend or resume did, in one line: {@code example.net: suspended until ...: reason}. */
    static String action(JsonNode a) {
        JsonNode s = a.get("destination").get("suspension");
        String outcome = a.get("outcome").asText();
        return a.get("target").asText() + ": " + outcome
                + (outcome.equals("suspended") && !s.isNull() ? " " + suspension(s) : "") + "\n";
    }

    /** {@code until TIME (by hand): REASON}, {@code until resumed (by hand): ...}, or {@code -}. */
    private static String suspension(JsonNode s) {
        if (s == null || s.isNull()) {
            return "-";
        }
        String until = s.get("until").isNull()
                ? "until resumed"
                : "until " + s.get("until").asText();
        return until + (s.get("manual").asBoolean() ? " (by hand)" : " (automatic)") + ": "
                + s.get("reason").asText();
    }

    private static String rate(JsonNode d) {
        return d.get("max_rate").isNull() ? "-" : d.get("max_rate").asText();
    }

    private static void field(StringBuilder out, String name, String value) {
        out.append(name).append(": ").append(value).append('\n');
    }
}
