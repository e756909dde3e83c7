package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.app.TernServer;
import dev.tern.server.config.ConfigLoader;
import dev.tern.server.config.TernConfig;
import io.micrometer.core.instrument.Meter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * docs/metrics.md and the meters agree: every meter a running Tern registers is documented, every
 * documented meter is registered and printed by the scrape. Meters documented as appearing only
 * after their first event (rows ending in "(lazy)") may be missing.
 */
class MetricsDocumentationTest {
    /** A table row naming a meter: {@code | `smtp.server.commands` | counter | ...}. */
    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([a-z0-9_]+\\.[a-z0-9_.]+)` \\|(.*)$");

    @TempDir
    Path dataDir;

    @Test
    void docsListExactlyTheMetersTernRegisters() throws Exception {
        Set<String> documented = new TreeSet<>();
        Set<String> lazy = new TreeSet<>();
        Matcher m = ROW.matcher(docs());
        while (m.find()) {
            documented.add(m.group(1));
            if (m.group(2).contains("(lazy)")) {
                lazy.add(m.group(1));
            }
        }
        try (TernServer server = start()) {
            Set<String> registered = new TreeSet<>();
            for (Meter meter : server.meterRegistry().getMeters()) {
                registered.add(meter.getId().getName());
            }
            String scrape = ((io.micrometer.prometheusmetrics.PrometheusMeterRegistry) server.meterRegistry()).scrape();

            Set<String> undocumented = new TreeSet<>(registered);
            undocumented.removeAll(documented);
            assertThat(undocumented).as("meters missing from docs/metrics.md").isEmpty();

            Set<String> missing = new TreeSet<>(documented);
            missing.removeAll(registered);
            missing.removeAll(lazy);
            assertThat(missing).as("documented meters Tern does not register").isEmpty();

            for (String name : registered) {
                // Prometheus names: dots become underscores; unit and _total suffixes follow.
                assertThat(scrape).as("scrape prints " + name).contains("\n" + name.replace('.', '_'));
            }
        }
    }

    private TernServer start() throws Exception {
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
                dev.tern.server.tls.TlsMaterial.load(config.tls(), config.dataDir(), config.hostname()));
    }

    private static String docs() throws IOException {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("docs").resolve("metrics.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("docs/metrics.md above the working directory").isNotNull();
        return Files.readString(dir.resolve("docs").resolve("metrics.md"), StandardCharsets.UTF_8);
    }
}
