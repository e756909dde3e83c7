package dev.tern.server.testing;

import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * Programs some tests run, found on {@code PATH}: {@code openssl}, {@code htpasswd}, {@code prometheus},
 * {@code promtool}, {@code docker-compose}, {@code dkimverify}. {@code .ci/run} installs each from Debian. Elsewhere a test
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

    /** What a program printed (standard output and error together) and its exit code. */
    public record Run(int exit, String output) {}

    /**
     * Runs {@code command} in {@code directory} and waits for it, at most {@code timeout}; fails the test
     * when it takes longer.
     */
    public static Run run(Path directory, Duration timeout, String... command)
            throws IOException, InterruptedException {
        return run(directory, Map.of(), timeout, command);
    }

    /** {@link #run(Path, Duration, String...)} with {@code environment} added to this process's. */
    public static Run run(Path directory, Map<String, String> environment, Duration timeout, String... command)
            throws IOException, InterruptedException {
        ProcessBuilder builder =
                new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        // Read on another thread: a full pipe would stop the program before it exits.
        CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            fail(String.join(" ", command) + " did not end within " + timeout);
        }
        return new Run(process.exitValue(), output.join());
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
