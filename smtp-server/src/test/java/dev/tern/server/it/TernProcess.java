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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code tern serve} from the built jar in a JVM of its own, as an operator runs it: its output is
 * collected line by line, and it can be stopped with SIGTERM or killed with SIGKILL.
 */
final class TernProcess implements AutoCloseable {
    /** The shaded jar {@code package} made before failsafe runs; the working directory is smtp-server. */
    static final Path JAR = Path.of("target", "tern.jar");

    private final Process process;
    private final List<String> output = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private TernProcess(Process process) {
        this.process = process;
        this.reader = Thread.ofPlatform().daemon().start(this::readLines);
    }

    /**
     * Writes {@code DIR/tern.yaml}: data in {@code DIR/data}, every listener and the management port on
     * 127.0.0.1 at port 0, then {@code more} (YAML of further top-level keys).
     */
    static Path config(Path dir, String more) throws IOException {
        return config(dir, 0, more);
    }

    /** The same, the management listener on {@code managementPort}. */
    static Path config(Path dir, int managementPort, String more) throws IOException {
        return Files.writeString(
                dir.resolve("tern.yaml"),
                """
                hostname: tern.test
                data-dir: %s
                listeners:
                  mx: {address: 127.0.0.1, port: 0}
                  submission: {address: 127.0.0.1, port: 0}
                  smtps: {address: 127.0.0.1, port: 0}
                management: {address: 127.0.0.1, port: %d}
                """
                                .formatted(dir.resolve("data"), managementPort)
                        + more);
    }

    /**
     * Runs the command with SIGHUP at its default, whatever this JVM inherited: a build started under nohup
     * passes the signal on ignored, and a Tern started so warns that kill -HUP does nothing (Debian's perl-base).
     */
    static final List<String> HANGUP_DEFAULT =
            List.of("perl", "-e", "$SIG{HUP} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"");

    /** Starts {@code tern serve --config CONFIG} and waits until its management listener is up. */
    static TernProcess serve(Path config) throws IOException {
        return serve(HANGUP_DEFAULT, config);
    }

    /** The same, the command run by {@code launcher} (such as {@code nohup}). */
    static TernProcess serve(List<String> launcher, Path config) throws IOException {
        return serve(launcher, List.of(), config);
    }

    /** The same, the JVM given {@code jvmOptions} (such as {@code -Xmx64m}). */
    static TernProcess serve(List<String> launcher, List<String> jvmOptions, Path config) throws IOException {
        TernProcess tern = start(launcher, jvmOptions, config);
        await().atMost(Duration.ofSeconds(60))
                .until(() -> !tern.process.isAlive()
                        || tern.output.stream().anyMatch(l -> l.contains("management listening")));
        assertThat(tern.process.isAlive())
                .as("tern serve runs: %s", tern.output)
                .isTrue();
        return tern;
    }

    /** Starts {@code tern serve --config CONFIG}, which must stop by itself; its exit code and every line. */
    static Stopped serveUntilItStops(Path config) throws IOException, InterruptedException {
        TernProcess tern = start(HANGUP_DEFAULT, List.of(), config);
        if (!tern.process.waitFor(60, TimeUnit.SECONDS)) {
            tern.kill(); // not left running after the test
            throw new AssertionError("tern serve did not stop by itself: " + tern.output);
        }
        tern.reader.join(Duration.ofSeconds(10));
        return new Stopped(tern.process.exitValue(), List.copyOf(tern.output));
    }

    /** A {@code tern serve} that stopped by itself. */
    record Stopped(int exitCode, List<String> output) {}

    private static TernProcess start(List<String> launcher, List<String> jvmOptions, Path config) throws IOException {
        assertThat(JAR).as("the jar made by package").isRegularFile();
        List<String> command = new ArrayList<>(launcher);
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        if (Runtime.version().feature() >= 23) {
            // As ./tern and the image run it: Netty reads buffers through sun.misc.Unsafe.
            command.add("--sun-misc-unsafe-memory-access=allow");
        }
        command.addAll(List.of("-jar", JAR.toString(), "serve", "--config", config.toString()));
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
        builder.environment().keySet().removeIf(name -> name.startsWith("TERN_"));
        return new TernProcess(builder.start());
    }

    /** The port a listener was bound to, from the log line that starts with {@code marker} ("listening name=mx "). */
    static int port(List<String> output, String marker) {
        Pattern address = Pattern.compile(Pattern.quote(marker) + ".*address=\\S*?:(\\d+)");
        return output.stream()
                .map(address::matcher)
                .filter(Matcher::find)
                .mapToInt(m -> Integer.parseInt(m.group(1)))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no '" + marker + "' line in " + output));
    }

    /** Every line it wrote so far. */
    List<String> output() {
        return output;
    }

    /** SIGHUP, as {@code kill -HUP} or a systemd unit's reload sends it. */
    void hangUp() throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-HUP", Long.toString(process.pid()))
                .redirectErrorStream(true)
                .start();
        assertThat(kill.waitFor()).as("kill -HUP").isZero();
    }

    boolean alive() {
        return process.isAlive();
    }

    /** SIGKILL: no shutdown hook, no flush, as a power cut or the OOM killer leaves it. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor();
    }

    /** SIGTERM, without waiting: Tern lets its open transactions finish meanwhile. */
    void terminate() {
        process.toHandle().destroy();
    }

    /** Waits until the process has stopped by itself; its exit code. */
    int awaitExit(Duration timeout) throws InterruptedException {
        assertThat(process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS))
                .as("stopped within %s: %s", timeout, output)
                .isTrue();
        return process.exitValue();
    }

    /** SIGTERM, and waits for the process and for the rest of its output. */
    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            // Through the handle: Process.destroy() would also close the output still to be read.
            process.toHandle().destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
        reader.join(Duration.ofSeconds(10));
    }

    private void readLines() {
        try (BufferedReader in =
                new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                output.add(line);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
