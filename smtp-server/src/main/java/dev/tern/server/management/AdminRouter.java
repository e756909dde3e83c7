package dev.tern.server.management;

import dev.tern.server.metrics.AdminMetrics;
import io.netty.handler.codec.http.HttpMethod;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The admin API's routing table, the one place that maps a method and a path to an action: each
 * resource ({@link QueueRoutes}, {@link DestinationRoutes}) adds its routes here. A pattern is literal segments
 * and {@code {name}} placeholders; where a literal and a placeholder both match, the literal wins, whatever the
 * method. A path that matches with another method answers 405 with the methods it allows.
 */
public final class AdminRouter {

    /** What a route does; runs on the event loop, so it only validates and hands work on. */
    @FunctionalInterface
    public interface Operation {
        /** @throws AdminRequest.BadParameter when a parameter is malformed */
        CompletionStage<AdminResponse> run(AdminRequest request);
    }

    /**
     * One route.
     *
     * @param action the name logged and counted ({@code tern.admin.actions{action}})
     * @param change whether it changes anything (changes are logged; reads are not)
     * @param parameters the query parameters it takes; any other is refused with 400
     */
    public record Route(
            HttpMethod method,
            List<String> segments,
            String action,
            boolean change,
            Set<String> parameters,
            Operation operation) {
        public Route {
            Objects.requireNonNull(method, "method");
            segments = List.copyOf(segments);
            parameters = Set.copyOf(parameters);
        }

        /** The placeholders' values when {@code path} matches, else null. */
        Map<String, String> match(List<String> path) {
            if (path.size() != segments.size()) {
                return null;
            }
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < segments.size(); i++) {
                String s = segments.get(i);
                if (s.startsWith("{")) {
                    values.put(s.substring(1, s.length() - 1), path.get(i));
                } else if (!s.equals(path.get(i))) {
                    return null;
                }
            }
            return values;
        }

        int literals() {
            return (int) segments.stream().filter(s -> !s.startsWith("{")).count();
        }
    }

    /** What a request matched. */
    public sealed interface Match {
        record Found(Route route, Map<String, String> pathParameters) implements Match {}

        record WrongMethod(Set<HttpMethod> allowed) implements Match {}

        record None() implements Match {}
    }

    private final List<Route> routes = new ArrayList<>();
    private final AdminMetrics metrics;

    public AdminRouter(AdminMetrics metrics) {
        this.metrics = metrics;
    }

    /** Adds a route; its meters are made now, not per request. */
    public AdminRouter add(
            HttpMethod method, String pattern, String action, boolean change, Set<String> parameters, Operation op) {
        if (!pattern.startsWith("/admin/")) {
            throw new IllegalArgumentException("admin routes live under /admin/: " + pattern);
        }
        routes.add(new Route(method, segments(pattern), action, change, parameters, op));
        metrics.register(action);
        return this;
    }

    /**
     * The route for {@code method} and {@code path} (no query). The routes whose pattern names the path most
     * closely (the most literal segments) decide: {@code GET /admin/queue/flush} names the flush, which takes POST,
     * not a message called "flush", so it is a wrong method, not a message that is not there.
     */
    public Match match(HttpMethod method, String path) {
        List<String> parts = segments(path);
        int closest = -1;
        for (Route r : routes) {
            if (r.match(parts) != null) {
                closest = Math.max(closest, r.literals());
            }
        }
        Set<HttpMethod> allowed = new LinkedHashSet<>();
        for (Route r : routes) {
            Map<String, String> values = r.match(parts);
            if (values == null || r.literals() < closest) {
                continue;
            }
            if (r.method().equals(method)) {
                return new Match.Found(r, values);
            }
            allowed.add(r.method());
        }
        return allowed.isEmpty() ? new Match.None() : new Match.WrongMethod(allowed);
    }

    /** The action a request for {@code path} would be counted under, whatever its method; "unknown" if none. */
    String actionFor(HttpMethod method, String path) {
        return match(method, path) instanceof Match.Found f ? f.route().action() : AdminMetrics.UNKNOWN;
    }

    private static List<String> segments(String path) {
        List<String> out = new ArrayList<>();
        for (String s : path.split("/", -1)) {
            if (!s.isEmpty()) {
                out.add(s);
            }
        }
        return out;
    }
}
