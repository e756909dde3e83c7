package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern serve} from the built jar, in a JVM of its own with its own logging configuration, on
 * an empty data directory: start-up and a SIGTERM stop log nothing at WARN or ERROR, and the JVM warns
 * of nothing. A JVM of its own, because some libraries warn only once per JVM (Micrometer's "already
 * registered" is WARN the first time, DEBUG after), so a start in the test JVM could hide one.
 */
class CleanStartIT {
    /** The shaded jar {@code package} made before failsafe runs; the working directory is smtp-server. */
    private static final Path JAR = Path.of("target", "tern.jar");

    @TempDir
    Path dir;

    @Test
    void aCleanStartAndStopLogNoWarning() throws Exception {
        assertThat(JAR).as("the jar made by package").isRegularFile();
        Path config = dir.resolve("tern.yaml");
        Files.writeString(
                config,
                """
                hostname: tern.test
                data-dir: %s
                listeners:
                  mx: {address: 127.0.0.1, port: 0}
                  submission: {address: 127.0.0.1, port: 0}
                  smtps: {address: 127.0.0.1, port: 0}
                management: {address: 127.0.0.1, port: 0}
                """
                        .formatted(dir.resolve("data")));
        List<String> command = new ArrayList<>(
                List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (Runtime.version().feature() >= 23) {
            // As ./tern and the image run it: Netty reads buffers through sun.misc.Unsafe.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", JAR.toString(), "serve", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("TERN_"));
        Process tern = builder.start();
        List<String> output = new CopyOnWriteArrayList<>();
        Thread reader = Thread.ofPlatform().daemon().start(() -> readLines(tern, output));
        try {
            await().atMost(Duration.ofSeconds(60))
                    .until(() -> !tern.isAlive() || output.stream().anyMatch(l -> l.contains("management listening")));
            assertThat(tern.isAlive()).as("tern serve runs: %s", output).isTrue();
        } finally {
            // SIGTERM through the handle: Process.destroy() would also close the output still to be read.
            tern.toHandle().destroy();
            if (!tern.waitFor(30, TimeUnit.SECONDS)) {
                tern.destroyForcibly();
            }
        }
        reader.join(Duration.ofSeconds(10));

        assertThat(output).as("the stop was logged").anyMatch(l -> l.endsWith(" - stopped"));
        assertThat(output)
                .as("lines at WARN or ERROR, or JVM warnings")
                .noneMatch(l -> l.matches("\\S+ +(WARN|ERROR) .*") || l.startsWith("WARNING"));
    }

    private static void readLines(Process process, List<String> into) {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                into.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
