package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code openssl s_client}, an independent TLS client, run against Tern: its output (stdout and
 * stderr together) is collected as it comes, and its standard input stays open until {@link #close()}
 * so that it neither quits nor stops reading command letters early.
 */
final class OpenSslClient implements AutoCloseable {
    private final Process process;
    private final OutputStream stdin;
    private final StringBuffer output = new StringBuffer();

    private OpenSslClient(Process process) {
        this.process = process;
        this.stdin = process.getOutputStream();
        Thread reader = new Thread(() -> collect(process.getInputStream()), "openssl-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** {@code openssl s_client -connect} to {@code address} with {@code options} after it. */
    static OpenSslClient connect(InetSocketAddress address, String... options) {
        List<String> command = new ArrayList<>(
                List.of("openssl", "s_client", "-connect", TernFixture.HOST + ":" + address.getPort(), "-no_ign_eof"));
        command.addAll(List.of(options));
        try {
            return new OpenSslClient(
                    new ProcessBuilder(command).redirectErrorStream(true).start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits until the output holds {@code text}. */
    void awaitOutput(String text) {
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(output.toString()).contains(text));
    }

    /** Types one line on s_client's standard input. */
    void type(String line) {
        try {
            stdin.write((line + "\n").getBytes(StandardCharsets.US_ASCII));
            stdin.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Waits for s_client to end by itself (the server closed) and returns its exit code. */
    int awaitExit() {
        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
        return process.exitValue();
    }

    String output() {
        return output.toString();
    }

    private void collect(InputStream in) {
        byte[] chunk = new byte[4096];
        try {
            for (int n; (n = in.read(chunk)) >= 0; ) {
                output.append(new String(chunk, 0, n, StandardCharsets.ISO_8859_1));
            }
        } catch (IOException e) {
            // The process ended.
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            stdin.close();
        } catch (IOException e) {
            // Already gone with the process.
        }
    }
}
