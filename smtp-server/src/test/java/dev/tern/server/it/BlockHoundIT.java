package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.server.sink.Sink;
import dev.tern.server.sink.SinkOptions;
import dev.tern.server.tls.PemFiles;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No event loop ever blocks (ARCHITECTURE.md): a whole session — STARTTLS, AUTH against the real
 * bcrypt file, a message forced into the real spool, a PROXY header before implicit TLS — runs under
 * BlockHound, and BlockHound is shown to catch a blocking call on a Netty event loop. Netty's own
 * integration (found through the ServiceLoader) marks its event-loop threads as non-blocking and allows
 * its known-safe calls.
 *
 * <p>BlockHound installs once per JVM and stays; violations are collected rather than thrown, so
 * other integration tests sharing the JVM are observed but never broken by it.
 */
class BlockHoundIT {
    private static final String FILE_CHANNEL = BlockingCalls.FILE_CHANNEL;

    @TempDir
    Path dataDir;

    @BeforeAll
    static void installBlockHound() {
        BlockingCalls.install();
    }

    @BeforeEach
    void forget() {
        BlockingCalls.forget();
    }

    @Test
    void aWholeSessionNeverBlocksAnEventLoop() {
        // The implicit-TLS listener sits behind a load balancer: the PROXY header is decoded on the loop too.
        try (TernFixture tern =
                TernFixture.start(dataDir, Map.of("TERN_LISTENERS_SMTPS_PROXY_PROTOCOL_FROM", "127.0.0.1"))) {
            try (RawSmtpClient c = tern.connect(tern.submission())) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("STARTTLS").code()).isEqualTo(220);
                c.startTls(tern.clientTls());
                c.ehlo("client.test");
                assertThat(c.command("AUTH PLAIN " + TlsAndAuthIT.plain("alice", "wrong"))
                                .code())
                        .isEqualTo(535);
                assertThat(c.command("AUTH PLAIN " + TlsAndAuthIT.plain(TernFixture.USER, TernFixture.PASSWORD))
                                .code())
                        .isEqualTo(235);
                assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<friend@remote.test>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.send("Subject: watched\r\n\r\nby BlockHound\r\n.\r\n")
                                .reply()
                                .last())
                        .startsWith("250 2.0.0 Ok: queued as");
                assertThat(c.command("QUIT").code()).isEqualTo(221);
            }
            try (RawSmtpClient implicit = tern.connectFrom("127.0.0.1", tern.smtps())) {
                implicit.send(ProxyProtocolIT.v1("TCP4", "198.51.100.7"));
                implicit.startTls(tern.clientTls());
                assertThat(implicit.reply().code()).isEqualTo(220);
                assertThat(implicit.command("QUIT").code()).isEqualTo(221);
            }
            assertThat(tern.storedContents()).singleElement().asString().endsWith("by BlockHound\r\n");
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void theAdminApiNeverBlocksAnEventLoop() throws Exception {
        // Delivery is off in this fixture: the queue is loaded, nothing is attempted, every action works.
        try (TernFixture tern = TernFixture.start(dataDir, Map.of())) {
            try (RawSmtpClient c = tern.connect(tern.mx())) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("MAIL FROM:<sender@example.org>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.send("Subject: admin\r\n\r\nwatched\r\n.\r\n")
                                .reply()
                                .code())
                        .isEqualTo(250);
            }
            String id = tern.server().spool().pending().get(0).id().value();
            String token =
                    Files.readAllLines(dataDir.resolve("admin-token")).get(0).split(":", 2)[1];
            HttpClient http = HttpClient.newHttpClient();
            String base =
                    "http://127.0.0.1:" + tern.server().managementAddress().getPort();
            String[][] calls = {
                {"GET", "/admin/queue", "200"},
                {"GET", "/admin/queue/" + id, "200"},
                {"POST", "/admin/queue/" + id + "/hold", "200"},
                {"POST", "/admin/queue/" + id + "/release", "200"},
                {"POST", "/admin/queue/flush", "200"},
                {"POST", "/admin/queue/requeue", "200"},
                {"GET", "/admin/queue?limit=0", "400"},
                {"DELETE", "/admin/queue/" + id, "200"},
            };
            for (String[] call : calls) {
                HttpRequest request = HttpRequest.newBuilder(URI.create(base + call[1]))
                        .method(call[0], HttpRequest.BodyPublishers.noBody())
                        .header("Authorization", "Bearer " + token)
                        .build();
                assertThat(http.send(request, HttpResponse.BodyHandlers.ofString())
                                .statusCode())
                        .as(call[0] + " " + call[1])
                        .isEqualTo(Integer.parseInt(call[2]));
            }
            HttpRequest anonymous =
                    HttpRequest.newBuilder(URI.create(base + "/admin/queue")).build();
            assertThat(http.send(anonymous, HttpResponse.BodyHandlers.ofString())
                            .statusCode())
                    .isEqualTo(401);
            assertThat(tern.server().spool().pending()).isEmpty();
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void theRateLimitsNeverBlockAnEventLoop() {
        // Loopback untrusted, so every rate limit counts, in caches filled and read on the event loops.
        try (TernFixture tern = TernFixture.start(
                dataDir, Map.of("TERN_RELAY_TRUSTED_NETWORKS", "10.0.0.0/8", "TERN_RATE_LIMITS_AUTH_FAILURES", "2"))) {
            for (int i = 0; i < 200; i++) {
                try (RawSmtpClient c = tern.connectFrom("127.0.4." + (i + 1), tern.mx())) {
                    assertThat(c.reply().code()).isEqualTo(220);
                    c.ehlo("client.test");
                    assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
                    assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
                    assertThat(c.command("QUIT").code()).isEqualTo(221);
                }
            }
            try (RawSmtpClient c = tern.connectFrom("127.0.5.1", tern.submission())) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("STARTTLS").code()).isEqualTo(220);
                c.startTls(tern.clientTls());
                c.ehlo("client.test");
                for (int i = 0; i < 2; i++) {
                    assertThat(c.command("AUTH PLAIN " + TlsAndAuthIT.plain("alice", "wrong " + i))
                                    .code())
                            .isEqualTo(535);
                }
                assertThat(c.command("AUTH PLAIN " + TlsAndAuthIT.plain("alice", "wrong"))
                                .code())
                        .isEqualTo(454);
            }
            assertThat(tern.server()
                            .meterRegistry()
                            .get("smtp.server.limits.tracked")
                            .gauge()
                            .value())
                    .isGreaterThanOrEqualTo(100);
            assertThat(tern.server()
                            .meterRegistry()
                            .get("tern.spool.disk.free")
                            .gauge()
                            .value())
                    .isPositive();
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void theSinkNeverBlocksAnEventLoop() throws Exception {
        Path maildir = dataDir.resolve("sink");
        // Storing, delays and STARTTLS: the parts of tern sink that could be tempted to block.
        SinkOptions options = SinkOptions.builder()
                .maildir(maildir)
                .delay(Duration.ofMillis(5))
                .slowFinal(Duration.ofMillis(20))
                .build();
        try (Sink sink = new Sink(options)) {
            int port = sink.start(InetAddress.getLoopbackAddress(), 0);
            try (RawSmtpClient c = RawSmtpClient.connect(new InetSocketAddress(TernFixture.HOST, port))) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("STARTTLS").code()).isEqualTo(220);
                c.startTls(TernFixture.trusting(List.of(sink.certificate())));
                c.ehlo("client.test");
                c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@sink.test>\r\nDATA\r\n");
                assertThat(List.of(c.reply().code(), c.reply().code(), c.reply().code()))
                        .containsExactly(250, 250, 354);
                assertThat(c.send("Subject: watched\r\n\r\nby BlockHound\r\n.\r\n")
                                .reply()
                                .code())
                        .isEqualTo(250);
                c.send("MAIL FROM:<a@client.test>\r\nRCPT TO:<b@sink.test>\r\nBDAT 4 LAST\r\nhi\r\n");
                assertThat(List.of(c.reply().code(), c.reply().code(), c.reply().code()))
                        .containsExactly(250, 250, 250);
                assertThat(c.command("QUIT").code()).isEqualTo(221);
            }
            assertThat(sink.counts().messages()).isEqualTo(2);
        }
        try (var files = Files.list(maildir.resolve("new"))) {
            assertThat(files).hasSize(2);
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void dkimSigningNeverBlocksAnEventLoop() throws Exception {
        // Dual signing for local.test; loopback is a trusted network, so every message is ours to sign.
        Path keys = Files.createDirectories(dataDir.resolve("dkim"));
        KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        Path rsaFile = Files.writeString(
                keys.resolve("r.pem"), PemFiles.toPkcs8Pem(rsa.generateKeyPair().getPrivate()));
        Path edFile = Files.writeString(
                keys.resolve("e.pem"),
                PemFiles.toPkcs8Pem(KeyPairGenerator.getInstance("Ed25519")
                        .generateKeyPair()
                        .getPrivate()));
        String domains = "local.test=e:ed25519-sha256:" + edFile + " r:rsa-sha256:" + rsaFile;
        try (TernFixture tern = TernFixture.start(dataDir.resolve("data"), Map.of("TERN_DKIM_DOMAINS", domains))) {
            try (RawSmtpClient c = tern.connect(tern.mx())) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                for (int i = 0; i < 20; i++) {
                    assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
                    assertThat(c.command("RCPT TO:<friend@remote.test>").code()).isEqualTo(250);
                    assertThat(c.command("DATA").code()).isEqualTo(354);
                    assertThat(c.send("From: <alice@local.test>\r\nSubject: " + i + "\r\n\r\nsigned\r\n.\r\n")
                                    .reply()
                                    .last())
                            .startsWith("250 2.0.0 Ok: queued as");
                }
                assertThat(c.command("QUIT").code()).isEqualTo(221);
            }
            assertThat(tern.storedContents()).hasSize(20).allSatisfy(m -> assertThat(m)
                    .startsWith("DKIM-Signature: v=1; a=ed25519-sha256;"));
        }
        assertThat(BlockingCalls.seen()).isEmpty();
    }

    @Test
    void detectsBlockingCallsOnAnEventLoop() throws Exception {
        Path probe = dataDir.resolve("probe.txt");
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            group.next()
                    .submit(() -> {
                        Thread.sleep(10);
                        Files.writeString(probe, "written on an event loop");
                        return null;
                    })
                    .get(10, TimeUnit.SECONDS);
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
        assertThat(BlockingCalls.seen())
                .anySatisfy(v -> assertThat(v).startsWith("java.lang.Thread.sleep"))
                .anySatisfy(v -> assertThat(v).startsWith(FILE_CHANNEL + "#implWrite"));
        assertThat(probe).hasContent("written on an event loop");
    }
}
