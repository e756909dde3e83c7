package dev.tern.server.metrics;

import java.util.Locale;

/**
 * What the admin API records: every request by action and outcome ({@code tern.admin.actions},
 * docs/metrics.md). Meters are made when a route is added, never per request.
 */
public interface AdminMetrics {
    /** The action of a request that matched no route. */
    String UNKNOWN = "unknown";

    /** How an admin request ended. */
    enum Outcome {
        OK,
        NOT_FOUND,
        REFUSED,
        BAD_REQUEST,
        UNAUTHORIZED,
        FAILED;

        public String tag() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Makes the meters of {@code action}, one per outcome. */
    void register(String action);

    void record(String action, Outcome outcome);

    AdminMetrics NONE = new AdminMetrics() {
        @Override
        public void register(String action) {}

        @Override
        public void record(String action, Outcome outcome) {}
    };
}
