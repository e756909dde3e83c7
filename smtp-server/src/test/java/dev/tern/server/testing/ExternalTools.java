package dev.tern.server.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs some tests run, found on {@code PATH}: {@code openssl}, {@code htpasswd}, {@code prometheus},
 * {@code promtool}, {@code docker-compose}. {@code .ci/run} installs each from Debian. Elsewhere a test
 * whose program is missing is skipped; under {@code CI=true} it fails, so CI never passes a test it did
 * not run.
 */
public final class ExternalTools {
    private ExternalTools() {}

    /**
     * The program's path; aborts the test (a skip) when it is not installed, or fails it under {@code
     * CI=true}.
     *
     * @param debianPackage the package that has it, for the message
     */
    public static Path require(String program, String debianPackage) {
        Path found = onPath(program);
        if (found == null) {
            String missing = program + " (Debian package " + debianPackage + ") is not installed";
            if ("true".equals(System.getenv("CI"))) {
                fail(missing + ", and CI=true: .ci/run should have installed it");
            }
            Assumptions.abort(missing);
        }
        return found;
    }

    private static Path onPath(String program) {
        for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
            Path candidate = Path.of(dir, program);
            if (Files.isExecutable(candidate)) {
                return candidate;
            }
        }
        return null;
    }
}
