package dev.tern.server.management;

import dev.tern.relay.queue.DestinationSnapshot;
import dev.tern.relay.queue.MessageRate;
import dev.tern.relay.queue.Suspension;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Destinations as the admin API writes them (docs/operations.md): field names in snake_case, times as
 * RFC 3339 UTC text, as {@link QueueJson} does for messages.
 */
final class DestinationJson {
    private DestinationJson() {}

    static Map<String, Object> list(List<DestinationSnapshot> destinations) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("total", destinations.size());
        List<Object> all = new ArrayList<>(destinations.size());
        destinations.forEach(d -> all.add(destination(d)));
        out.put("destinations", all);
        return out;
    }

    static Map<String, Object> destination(DestinationSnapshot d) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", d.name());
        out.put("state", d.state().name().toLowerCase(Locale.ROOT));
        out.put("queued", d.queued());
        out.put("concurrency_limit", d.concurrencyLimit());
        out.put("in_flight", d.inFlight());
        out.put("max_rate", d.rate().map(MessageRate::toString).orElse(null));
        Map<String, Object> recent = new LinkedHashMap<>();
        recent.put("window_seconds", DestinationSnapshot.RECENT_WINDOW.toSeconds());
        recent.put("delivered", d.recent().delivered());
        recent.put("deferred", d.recent().deferred());
        recent.put("failed", d.recent().failed());
        out.put("recent", recent);
        out.put("suspension", d.suspension().map(DestinationJson::suspension).orElse(null));
        return out;
    }

    private static Map<String, Object> suspension(Suspension s) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("since", s.since().toString());
        out.put("until", s.until().map(Instant::toString).orElse(null));
        out.put("reason", s.reason());
        out.put("manual", s.manual());
        return out;
    }

    /** What a suspend or resume did, with the destination as it is afterwards. */
    static Map<String, Object> action(String action, String outcome, DestinationSnapshot after) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("action", action);
        out.put("target", after.name());
        out.put("outcome", outcome);
        out.put("destination", destination(after));
        return out;
    }
}
