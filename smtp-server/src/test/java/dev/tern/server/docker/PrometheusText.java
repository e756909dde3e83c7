package dev.tern.server.docker;

import java.util.HashMap;
import java.util.Map;

/** Reads samples out of the Prometheus text exposition format that {@code /metrics} serves. */
final class PrometheusText {
    private PrometheusText() {}

    /**
     * The sum of every sample of {@code name} whose labels include all of {@code labels}; 0 when there
     * is none (a counter that has not counted yet may not be printed).
     */
    static double sum(String text, String name, Map<String, String> labels) {
        double total = 0;
        for (String line : text.split("\n")) {
            if (line.startsWith("#") || !line.startsWith(name)) {
                continue;
            }
            String rest = line.substring(name.length());
            Map<String, String> found = new HashMap<>();
            if (rest.startsWith("{")) {
                int end = rest.indexOf('}');
                for (String pair : rest.substring(1, end).split(",")) {
                    int eq = pair.indexOf('=');
                    if (eq > 0) {
                        found.put(
                                pair.substring(0, eq).trim(),
                                pair.substring(eq + 1).trim().replace("\"", ""));
                    }
                }
                rest = rest.substring(end + 1);
            } else if (!rest.startsWith(" ")) {
                continue; // a longer name sharing this prefix
            }
            if (found.entrySet().containsAll(labels.entrySet())) {
                total += Double.parseDouble(rest.trim().split(" ")[0]);
            }
        }
        return total;
    }
}
