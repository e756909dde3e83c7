package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.app.TernServer;
import dev.tern.server.testing.Checkout;
import io.micrometer.core.instrument.Meter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.TreeSet;
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
        try (TernServer server = ExposedMeters.start(dataDir)) {
            Set<String> registered = new TreeSet<>();
            for (Meter meter : server.meterRegistry().getMeters()) {
                registered.add(meter.getId().getName());
            }
            String scrape = ExposedMeters.scrape(server);

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

    private static String docs() throws IOException {
        return Files.readString(Checkout.file("docs/metrics.md"), StandardCharsets.UTF_8);
    }
}
