package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The management listener of a real Tern with delivery on: two messages to a local Maildir, one
 * refused command, then {@code /metrics} read with the JDK's HTTP client shows them, and both health
 * endpoints answer 200.
 */
class ManagementIT {
    @TempDir
    static Path dataDir;

    private static TernFixture tern;
    private static final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @BeforeAll
    static void start() {
        tern = TernFixture.start(dataDir, Map.of("TERN_DELIVERY_ENABLED", "true"));
        for (int i = 0; i < 2; i++) {
            try (RawSmtpClient c = tern.connect(tern.mx())) {
                c.reply();
                c.ehlo("client.test");
                assertThat(c.command("MAIL FROM:<sender@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.command("Subject: " + i + "\r\n\r\nhello\r\n.").code())
                        .isEqualTo(250);
                if (i == 1) {
                    // Refused: RCPT before MAIL is out of order.
                    assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(503);
                }
                assertThat(c.command("QUIT").code()).isEqualTo(221);
            }
        }
    }

    @AfterAll
    static void stop() {
        tern.close();
    }

    @Test
    void countsAcceptedMessagesCommandsAndConnections() throws Exception {
        // Session ends are counted as the server sees the close: wait for both.
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                        value(metrics(), "smtp_server_sessions_total", "auth=\"false\",tls=\"false\""))
                .isEqualTo(2.0));
        String text = metrics();
        assertThat(value(text, "smtp_server_messages_accepted_total", null)).isEqualTo(2.0);
        assertThat(value(text, "smtp_server_commands_total", "reply=\"2xx\",verb=\"data\""))
                .isEqualTo(2.0);
        assertThat(value(text, "smtp_server_commands_total", "reply=\"2xx\",verb=\"ehlo\""))
                .isEqualTo(2.0);
        assertThat(value(text, "smtp_server_commands_total", "reply=\"5xx\",verb=\"rcpt\""))
                .isEqualTo(1.0);
        assertThat(value(text, "smtp_server_commands_total", "reply=\"2xx\",verb=\"quit\""))
                .isEqualTo(2.0);
        assertThat(value(text, "smtp_server_connections_total", "listener=\"mx\""))
                .isEqualTo(2.0);
        assertThat(value(text, "smtp_server_connections_active", null)).isZero();
        assertThat(value(text, "smtp_server_received_bytes_total", null)).isGreaterThan(100.0);
        assertThat(value(text, "tern_spool_write_seconds_count", null)).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    void countsLocalDeliveries() throws Exception {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(
                        value(metrics(), "smtp_relay_delivery_attempts_total", "kind=\"local\",outcome=\"delivered\""))
                .isEqualTo(2.0));
        assertThat(maildirFiles()).isEqualTo(2);
    }

    @Test
    void servesThePrometheusTextFormat() throws Exception {
        HttpResponse<String> response = get("/metrics");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");
        assertThat(response.body()).contains("# TYPE smtp_server_commands_total counter");
    }

    @Test
    void showsEveryListenerUp() throws Exception {
        String text = metrics();
        for (String listener : new String[] {"mx", "submission", "smtps"}) {
            assertThat(value(text, "smtp_server_listener_up", "listener=\"" + listener + "\""))
                    .as(listener)
                    .isEqualTo(1.0);
        }
    }

    @Test
    void isLiveAndReady() throws Exception {
        assertThat(get("/health/live").statusCode()).isEqualTo(200);
        HttpResponse<String> ready = get("/health/ready");
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        assertThat(ready.body()).isEqualTo("ok\n");
    }

    @Test
    void answersUnknownPathsWith404() throws Exception {
        assertThat(get("/nothing").statusCode()).isEqualTo(404);
    }

    private static long maildirFiles() throws IOException {
        try (Stream<Path> files = Files.walk(tern.dataDir().resolve("mail"))) {
            return files.filter(p -> p.getParent().getFileName().toString().equals("new"))
                    .count();
        }
    }

    /**
     * Nobody who reaches the management listener may hold the descriptors SMTP needs, nor keep probes from elsewhere
     * out: a request trickled a header line at a time is cut within its ten seconds, and past 16 connections from one
     * address one of them is closed for each new one, while a probe from another address, SMTP and the next scrape go on.
     */
    /**
     * A client that pipelines scrapes and reads no answer is closed once the answers it has not read fill the
     * connection's buffer, instead of having every answer piled up in memory; the next scrape is answered.
     */
    @Test
    void closesAClientThatSendsScrapesAheadAndReadsNone() throws Exception {
        InetSocketAddress address = tern.server().managementAddress();
        byte[] requests =
                "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n".repeat(2_000).getBytes(StandardCharsets.US_ASCII);
        try (SocketChannel greedy = SocketChannel.open()) {
            greedy.setOption(java.net.StandardSocketOptions.SO_RCVBUF, 4096);
            greedy.connect(address);
            java.nio.ByteBuffer ahead = java.nio.ByteBuffer.wrap(requests);
            greedy.configureBlocking(false);
            // Requests go on being sent, none read, until Tern closes the connection (its unread requests make
            // the close a reset, which the next write meets); well before the 10 s a silent connection gets.
            await().atMost(Duration.ofSeconds(6)).until(() -> {
                try {
                    if (!ahead.hasRemaining()) {
                        ahead.rewind();
                    }
                    greedy.write(ahead);
                    return false;
                } catch (IOException reset) {
                    return true;
                }
            });
        }
        await().atMost(Duration.ofSeconds(10))
                .untilAsserted(() -> assertThat(metrics()).contains("smtp_server_sessions_total"));
    }

    @Test
    void boundsWhatOneClientOfTheManagementListenerMayHold() throws Exception {
        InetSocketAddress address = tern.server().managementAddress();
        try (Socket trickler = new Socket(address.getAddress(), address.getPort())) {
            trickler.setSoTimeout(20_000);
            OutputStream out = trickler.getOutputStream();
            long start = System.nanoTime();
            out.write("GET /metrics HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            Awaitility.await()
                    .atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofSeconds(2))
                    .until(() -> {
                        try {
                            out.write("X-Slow: 1\r\n".getBytes(StandardCharsets.US_ASCII));
                            return false;
                        } catch (IOException closed) {
                            return true;
                        }
                    });
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(9));
        }

        List<SocketChannel> held = new ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                SocketChannel channel = SocketChannel.open(address);
                channel.configureBlocking(false);
                held.add(channel);
            }
            // Which four are closed depends on the order the event loops take them in, not on the order they came.
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(closed(held))
                    .as("closed past 16 from one address")
                    .isEqualTo(4));
            try (Socket elsewhere = new Socket()) {
                elsewhere.bind(new InetSocketAddress("127.0.0.2", 0));
                elsewhere.connect(address);
                elsewhere
                        .getOutputStream()
                        .write("GET /health/live HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(elsewhere.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .as("a probe from another address is answered")
                        .matches("(?s)HTTP/1\\.[01] 200 .*");
            }
            try (RawSmtpClient c = tern.connect(tern.mx())) {
                assertThat(c.reply().code()).as("SMTP goes on").isEqualTo(220);
            }
            assertThat(closed(held)).as("the other 16 held").isEqualTo(4);
        } finally {
            for (SocketChannel channel : held) {
                channel.close();
            }
        }
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().untilAsserted(() -> assertThat(metrics())
                .contains("smtp_server_sessions_total"));
    }

    /**
     * Connections held open from many addresses, up to every one the listener takes, do not keep a probe out: the
     * first probe takes the place of one of them that has waited longest, and every probe is answered.
     */
    @Test
    void aProbeIsAnsweredWhileConnectionsFromManyAddressesFillTheListener() throws Exception {
        InetSocketAddress address = tern.server().managementAddress();
        List<SocketChannel> held = new ArrayList<>();
        try {
            for (int i = 0; i < 256; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.bind(new InetSocketAddress("127.0.3." + (10 + i / 16), 0));
                channel.connect(address);
                channel.configureBlocking(false);
                held.add(channel);
            }
            // Another client of the listener (this test's HTTP client keeps one connection) may take one place.
            assertThat(closed(held))
                    .as("all held, but for another client's place")
                    .isLessThanOrEqualTo(1);
            for (int probe = 0; probe < 3; probe++) {
                try (Socket prober = new Socket()) {
                    prober.setSoTimeout(5_000);
                    prober.connect(address);
                    prober.getOutputStream()
                            .write("GET /health/live HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    assertThat(new String(prober.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                            .as("a probe is answered")
                            .matches("(?s)HTTP/1\\.[01] 200 .*");
                }
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(closed(held))
                    .as("one closed to make room for a probe, at most one for each")
                    .isBetween(1L, 4L));
        } finally {
            for (SocketChannel channel : held) {
                channel.close();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> establishedTo(address.getPort()) < 16);
        }
    }

    /**
     * A flood of new connections from a few addresses closes its own, not a probe's: a probe connected before the
     * flood (the one that has waited longest) keeps its connection, since the flood's addresses hold more.
     */
    @Test
    void aFloodOfNewConnectionsClosesItsOwnNotAnEarlierProbe() throws Exception {
        InetSocketAddress address = tern.server().managementAddress();
        List<SocketChannel> flood = new ArrayList<>();
        try (Socket prober = new Socket()) {
            prober.setSoTimeout(5_000);
            prober.bind(new InetSocketAddress("127.0.4.1", 0));
            prober.connect(address);
            for (int i = 0; i < 300; i++) {
                SocketChannel channel = SocketChannel.open();
                channel.bind(new InetSocketAddress("127.0.4." + (10 + i % 16), 0));
                channel.connect(address);
                channel.configureBlocking(false);
                flood.add(channel);
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(closed(flood))
                    .as("the flood's own, past 256")
                    .isGreaterThanOrEqualTo(45));
            prober.getOutputStream().write("GET /health/live HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(new String(prober.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                    .as("the probe connected first is answered")
                    .matches("(?s)HTTP/1\\.[01] 200 .*");
        } finally {
            for (SocketChannel channel : flood) {
                channel.close();
            }
            // The next test starts with the listener's places free again.
            await().atMost(Duration.ofSeconds(10)).until(() -> establishedTo(address.getPort()) < 16);
        }
    }

    /** Connections established to {@code port} on this host, as the kernel lists them (both sides counted). */
    private static long establishedTo(int port) throws IOException {
        String local = String.format(":%04X ", port);
        long count = 0;
        for (String table : List.of("/proc/net/tcp", "/proc/net/tcp6")) {
            Path file = Path.of(table);
            if (Files.exists(file)) {
                count += Files.readAllLines(file).stream()
                        .map(String::strip)
                        .filter(line -> line.split("\\s+").length > 3)
                        .filter(line ->
                                line.split("\\s+")[1].endsWith(local.strip()) && line.split("\\s+")[3].equals("01"))
                        .count();
            }
        }
        return count;
    }

    /** How many of {@code channels} the other side has closed (a read finds the end); none has been sent anything. */
    private static long closed(List<SocketChannel> channels) throws IOException {
        long closed = 0;
        ByteBuffer buffer = ByteBuffer.allocate(16);
        for (SocketChannel channel : channels) {
            buffer.clear();
            try {
                if (channel.read(buffer) < 0) {
                    closed++;
                }
            } catch (IOException reset) {
                closed++;
            }
        }
        return closed;
    }

    private static String metrics() throws Exception {
        return get("/metrics").body();
    }

    private static HttpResponse<String> get(String path) throws Exception {
        InetSocketAddress address = tern.server().managementAddress();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }

    /** The value of one series: {@code name{labels}} (labels as Prometheus prints them, sorted), or none. */
    static double value(String text, String name, String labels) {
        String series = labels == null ? name : name + "{" + labels + "}";
        Matcher m =
                Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(text);
        if (!m.find()) {
            throw new AssertionError("no series " + series + " in:\n" + text);
        }
        return Double.parseDouble(m.group(1));
    }
}
