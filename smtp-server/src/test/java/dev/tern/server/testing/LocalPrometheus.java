package dev.tern.server.testing;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's {@code prometheus} run by a test, on loopback only: the configuration it is given, its own
 * data directory, its web listener on 127.0.0.1 at a free port. Prometheus itself sends nothing
 * anywhere unless configured to: no Alertmanager, remote write or service discovery is configured here,
 * and the package's own configuration (/etc/prometheus, which scrapes a node exporter and names an
 * Alertmanager) is never read.
 */
public final class LocalPrometheus implements AutoCloseable {
    private static final Duration START = Duration.ofSeconds(60);
    /** Another process may take the free port between our look and Prometheus' bind: try again. */
    private static final int ATTEMPTS = 3;

    private final Process process;
    private final Path log;
    private final PrometheusApi api;

    private LocalPrometheus(Process process, Path log, URI base) {
        this.process = process;
        this.log = log;
        this.api = new PrometheusApi(base);
    }

    /** Starts Prometheus with {@code config} (prometheus.yml text), keeping its files in {@code dir}. */
    public static LocalPrometheus start(Path dir, String config) throws IOException {
        Path prometheus = ExternalTools.require("prometheus", "prometheus");
        Files.createDirectories(dir);
        Path configFile = Files.writeString(dir.resolve("prometheus.yml"), config);
        for (int attempt = 1; ; attempt++) {
            int port = Loopback.freePort();
            Path log = dir.resolve("prometheus-" + attempt + ".log");
            Process process = new ProcessBuilder(
                            prometheus.toString(),
                            "--config.file=" + configFile,
                            "--storage.tsdb.path=" + dir.resolve("data"),
                            "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            LocalPrometheus started = new LocalPrometheus(process, log, URI.create("http://127.0.0.1:" + port));
            await().atMost(START).until(() -> !process.isAlive() || started.ready());
            if (process.isAlive()) {
                return started;
            }
            if (attempt == ATTEMPTS || !started.log().contains("address already in use")) {
                throw new IllegalStateException("prometheus did not start:\n" + started.log());
            }
        }
    }

    public PrometheusApi api() {
        return api;
    }

    /** What Prometheus logged so far. */
    public String log() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private boolean ready() {
        HttpRequest request = HttpRequest.newBuilder(api.base().resolve("/-/ready"))
                .timeout(Duration.ofSeconds(2))
                .build();
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops Prometheus with SIGTERM (it flushes its data), or kills it after 30 seconds. */
    @Override
    public void close() throws InterruptedException {
        process.toHandle().destroy();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
    }
}
