package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import java.nio.file.Files;
import java.nio.file.Path;
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
