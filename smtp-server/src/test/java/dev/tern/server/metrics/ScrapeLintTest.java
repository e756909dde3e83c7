package dev.tern.server.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.app.TernServer;
import dev.tern.server.testing.ExternalTools;
import dev.tern.server.testing.ExternalTools.Run;
import io.micrometer.core.instrument.Meter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@code /metrics} prints, as Prometheus' own linter reads it: every meter described (an empty HELP is a
 * warning), and no warning but the names of two meters Micrometer's system binders give.
 */
class ScrapeLintTest {
    @TempDir
    Path dataDir;

    @Test
    void everyMeterHasADescription() throws Exception {
        try (TernServer server = ExposedMeters.start(dataDir)) {
            assertThat(server.meterRegistry().getMeters())
                    .map(Meter::getId)
                    .filteredOn(id ->
                            id.getDescription() == null || id.getDescription().isBlank())
                    .map(Meter.Id::getName)
                    .isEmpty();
        }
    }

    @Test
    void promtoolWarnsOfNoMeterOfTernsOwn() throws Exception {
        Path promtool = ExternalTools.require("promtool", "prometheus");
        Path scrape = dataDir.resolve("scrape.txt");
        try (TernServer server = ExposedMeters.start(dataDir)) {
            Files.writeString(scrape, ExposedMeters.scrape(server));
        }

        // promtool reads the exposition on its standard input.
        Run check = ExternalTools.run(
                dataDir,
                Duration.ofSeconds(60),
                "sh",
                "-c",
                "exec \"$0\" check metrics < \"$1\"",
                promtool.toString(),
                scrape.toString());

        // Two names of Micrometer's process and system binders, kept as every Micrometer dashboard knows them.
        assertThat(check.output().lines().toList())
                .containsExactly(
                        "process_cpu_time_ns_total metric names should not contain abbreviated units",
                        "system_cpu_count non-histogram and non-summary metrics should not have \"_count\" suffix");
    }
}
