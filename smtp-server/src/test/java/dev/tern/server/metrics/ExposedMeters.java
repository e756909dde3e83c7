package dev.tern.server.metrics;

import dev.tern.server.app.TernServer;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import dev.tern.server.tls.TlsMaterial;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;

/** A Tern as a fresh start has it (every listener, delivery off), for what its registry holds and prints. */
final class ExposedMeters {
    private ExposedMeters() {}

    /** Starts Tern on loopback, every port 0, with its data in {@code dataDir}. */
    static TernServer start(Path dataDir) throws Exception {
        String yaml =
                """
                hostname: tern.test
                data-dir: %s
                listeners:
                  mx: {address: 127.0.0.1, port: 0}
                  submission: {address: 127.0.0.1, port: 0}
                  smtps: {address: 127.0.0.1, port: 0}
                management: {address: 127.0.0.1, port: 0}
                delivery:
                  enabled: false
                """
                        .formatted(dataDir.toAbsolutePath());
        TernConfig config = ConfigLoader.fromYaml(yaml, new HashMap<>());
        return TernServer.start(
                config,
                (user, password) -> CompletableFuture.completedFuture(false),
                TlsMaterial.load(config.tls(), config.dataDir(), config.hostname()));
    }

    /** The Prometheus text {@code /metrics} serves. */
    static String scrape(TernServer server) {
        return ((PrometheusMeterRegistry) server.meterRegistry()).scrape();
    }

    /**
     * The series names a fresh Tern prints (started with its data in {@code dataDir}, scraped once and
     * stopped), and {@code up}, which Prometheus adds for every target: what a PromQL expression about
     * Tern may name.
     */
    static Set<String> queryable(Path dataDir) throws Exception {
        try (TernServer server = start(dataDir)) {
            Set<String> names = seriesNames(scrape(server));
            names.add("up");
            return names;
        }
    }

    /**
     * Every series name a scrape prints ({@code smtp_server_commands_total}, {@code
     * tern_spool_write_seconds_bucket}, ...), as a PromQL expression names them.
     */
    static Set<String> seriesNames(String scrape) {
        Set<String> names = new TreeSet<>();
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int end = 0;
            while (end < line.length() && line.charAt(end) != '{' && line.charAt(end) != ' ') {
                end++;
            }
            names.add(line.substring(0, end));
        }
        return names;
    }
}
