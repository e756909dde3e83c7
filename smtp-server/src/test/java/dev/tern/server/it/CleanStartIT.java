package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code tern serve} from the built jar, in a JVM of its own with its own logging configuration, on
 * an empty data directory: start-up and a SIGTERM stop log nothing at WARN or ERROR, and the JVM warns
 * of nothing. A JVM of its own, because some libraries warn only once per JVM (Micrometer's "already
 * registered" is WARN the first time, DEBUG after), so a start in the test JVM could hide one.
 */
class CleanStartIT {
    @TempDir
    Path dir;

    @Test
    void aCleanStartAndStopLogNoWarning() throws Exception {
        Path config = TernProcess.config(dir, "");
        List<String> output;
        try (TernProcess tern = TernProcess.serve(config)) {
            output = tern.output();
        }

        assertThat(output).as("the stop was logged").anyMatch(l -> l.endsWith(" - stopped"));
        assertThat(output)
                .as("lines at WARN or ERROR, or JVM warnings")
                .noneMatch(l -> l.matches("\\S+ +(WARN|ERROR) .*") || l.startsWith("WARNING"));
    }
}
