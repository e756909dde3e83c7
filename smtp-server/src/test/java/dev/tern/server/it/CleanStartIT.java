package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.server.config.TlsConfig;
import dev.tern.server.tls.PemFiles;
import dev.tern.server.tls.TlsMaterial;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
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

    /**
     * A second Tern on a running one's spool, SMTP port or management port stops at once with exit code 4 and
     * one line naming what is taken, no stack trace; the first runs on.
     */
    @Test
    void aSecondTernOnARunningOnesSpoolOrPortsStopsWithOneLine() throws Exception {
        Path config = TernProcess.config(dir, "");
        try (TernProcess first = TernProcess.serve(config)) {
            int mx = TernProcess.port(first.output(), "listening name=mx ");
            int management = TernProcess.port(first.output(), "management listening ");
            Path spool = dir.resolve("data").resolve("spool");

            TernProcess.Stopped sameSpool = TernProcess.serveUntilItStops(config);
            TernProcess.Stopped sameMx = TernProcess.serveUntilItStops(elsewhere("mx", mx, 0));
            TernProcess.Stopped sameManagement = TernProcess.serveUntilItStops(elsewhere("management", 0, management));

            assertThat(sameSpool.exitCode()).isEqualTo(4);
            assertThat(errors(sameSpool))
                    .containsExactly("tern: spool: spool directory " + spool + " is in use by another Tern process ("
                            + spool.resolve("lock") + " is locked); each Tern node needs its own spool directory");
            assertThat(sameMx.exitCode()).isEqualTo(4);
            assertThat(errors(sameMx))
                    .containsExactly("tern: listen: cannot listen on 127.0.0.1:" + mx + ": Address already in use");
            assertThat(sameManagement.exitCode()).isEqualTo(4);
            assertThat(errors(sameManagement))
                    .containsExactly("tern: listen: cannot listen on 127.0.0.1:" + management
                            + " (management): Address already in use");
            assertThat(first.output()).as("the first still runs").noneMatch(l -> l.contains("shutting down"));
        }
    }

    /**
     * A token file with a bad line stops Tern with exit code 2 and one line naming the file and the line, before
     * it listens on anything.
     */
    @Test
    void aBadAdminTokenFileStopsTernBeforeItListens() throws Exception {
        Path tokens = Files.createDirectories(dir.resolve("data")).resolve("admin-token");
        Files.writeString(tokens, "admin:short\n");

        TernProcess.Stopped stopped = TernProcess.serveUntilItStops(TernProcess.config(dir, ""));

        assertThat(stopped.exitCode()).isEqualTo(2);
        assertThat(errors(stopped))
                .containsExactly("tern: admin-token: " + tokens
                        + " line 1: the token for 'admin' must be at least 16 visible ASCII characters");
        assertThat(stopped.output()).noneMatch(l -> l.contains("listening"));
    }

    /**
     * SIGHUP reloads rather than stops (left to the JVM, it would stop Tern): a renewed certificate written
     * over the old files is what the next handshake presents, and Tern runs on.
     */
    @Test
    void aHangUpReadsARenewedCertificateAndTernRunsOn() throws Exception {
        Path config = TernProcess.config(dir, "");
        try (TernProcess tern = TernProcess.serve(config)) {
            int smtps = TernProcess.port(tern.output(), "listening name=smtps ");
            Path tls = dir.resolve("data").resolve("tls");
            X509Certificate before = presented(smtps);
            // A renewal: another pair, made as Tern makes its own, written over the files.
            TlsMaterial.load(new TlsConfig(null, null), dir.resolve("renewed"), "tern.test");
            Files.copy(dir.resolve("renewed/tls/key.pem"), tls.resolve("key.pem"), StandardCopyOption.REPLACE_EXISTING);
            Files.copy(
                    dir.resolve("renewed/tls/cert.pem"), tls.resolve("cert.pem"), StandardCopyOption.REPLACE_EXISTING);
            X509Certificate renewed =
                    PemFiles.readCertificates(tls.resolve("cert.pem")).get(0);

            tern.hangUp();

            await().atMost(Duration.ofSeconds(30))
                    .untilAsserted(() ->
                            assertThat(presented(smtps)).isEqualTo(renewed).isNotEqualTo(before));
            assertThat(tern.output()).anyMatch(l -> l.contains("SIGHUP: reading the TLS certificate and key again"));
            assertThat(tern.alive()).as("still running after SIGHUP").isTrue();
            assertThat(tern.output()).noneMatch(l -> l.contains("shutting down"));
        }
    }

    /** Started with SIGHUP ignored (nohup), where the JVM cannot take it: said at start, not found out later. */
    @Test
    void aStartWithHangUpIgnoredSaysKillHupDoesNothing() throws Exception {
        Path config = TernProcess.config(dir, "");
        try (TernProcess tern = TernProcess.serve(List.of("nohup"), config)) {
            assertThat(tern.output()).anyMatch(l -> l.matches("\\S+ +WARN .*SIGHUP is ignored by this process.*"));
        }
    }

    /**
     * Attempts begin once Tern is sure to run: a start that fails (its management port taken) delivers nothing
     * of the queue it found, and the next start that runs does.
     */
    @Test
    void aStartThatFailsDeliversNothingOfTheQueueItFound() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                ServerSocket taken = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger attempts = countConnections(peer);
            try (TernProcess first = TernProcess.serve(routed(false, peer.getLocalPort(), 0))) {
                sendToRemote(TernProcess.port(first.output(), "listening name=mx "));
            }

            TernProcess.Stopped failed =
                    TernProcess.serveUntilItStops(routed(true, peer.getLocalPort(), taken.getLocalPort()));

            assertThat(failed.exitCode()).isEqualTo(4);
            assertThat(attempts)
                    .as("connections to the exchanger by the start that failed")
                    .hasValue(0);
            try (TernProcess running = TernProcess.serve(routed(true, peer.getLocalPort(), 0))) {
                await().atMost(Duration.ofSeconds(30))
                        .untilAsserted(() -> assertThat(attempts).hasPositiveValue());
            }
        }
    }

    /**
     * A message taken while Tern stops (its session finishing within the grace) waits in the spool for the
     * next start: no attempt that the stopping process would cut short and count as failed.
     */
    @Test
    void aMessageTakenWhileStoppingIsNotAttemptedByTheStoppingProcess() throws Exception {
        try (ServerSocket peer = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            AtomicInteger attempts = countConnections(peer);
            try (TernProcess tern = TernProcess.serve(routed(true, peer.getLocalPort(), 0));
                    RawSmtpClient c = RawSmtpClient.connect(new InetSocketAddress(
                            "127.0.0.1", TernProcess.port(tern.output(), "listening name=mx ")))) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
                assertThat(c.command("RCPT TO:<b@remote.test>").code()).isEqualTo(250);

                tern.terminate();
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> tern.output().stream().anyMatch(l -> l.contains("shutting down")));

                assertThat(c.command("DATA").code()).isEqualTo(354);
                assertThat(c.send("Subject: late\r\n\r\ntaken while stopping\r\n.\r\n")
                                .reply()
                                .last())
                        .startsWith("250 2.0.0");
                c.close();
                tern.awaitExit(Duration.ofSeconds(60));
                assertThat(tern.output())
                        .as("no attempt recorded by the stopping process")
                        .noneMatch(l -> l.contains(" domain=remote.test rcpts="));
            }
            assertThat(attempts)
                    .as("connections to the exchanger while stopping")
                    .hasValue(0);
        }
    }

    /** Counts the connections {@code peer} is given (it never answers them). */
    private static AtomicInteger countConnections(ServerSocket peer) {
        AtomicInteger count = new AtomicInteger();
        Thread.ofPlatform().daemon().start(() -> {
            try {
                while (true) {
                    peer.accept();
                    count.incrementAndGet();
                }
            } catch (IOException closed) {
                // The test is over.
            }
        });
        return count;
    }

    /** One message for {@code remote.test}, sent from this host (a trusted network, so relayed). */
    private static void sendToRemote(int mx) {
        try (RawSmtpClient c = RawSmtpClient.connect(new InetSocketAddress("127.0.0.1", mx))) {
            assertThat(c.reply().code()).isEqualTo(220);
            c.ehlo("client.test");
            assertThat(c.command("MAIL FROM:<a@client.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<b@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: queued\r\n\r\nfor later\r\n.\r\n")
                            .reply()
                            .last())
                    .startsWith("250 2.0.0");
        }
    }

    /** This test's data directory, {@code remote.test} routed to {@code peerPort}, delivery on or off. */
    private Path routed(boolean deliver, int peerPort, int management) throws IOException {
        return TernProcess.config(
                dir,
                management,
                """
                delivery:
                  enabled: %s
                  routes: {remote.test: "127.0.0.1:%d none"}
                """
                        .formatted(deliver, peerPort));
    }

    /** The certificate a TLS client is shown on {@code port} (trusting any). */
    private static X509Certificate presented(int port) throws Exception {
        SSLContext any = SSLContext.getInstance("TLS");
        any.init(null, InsecureTrustManagerFactory.INSTANCE.getTrustManagers(), null);
        try (SSLSocket socket = (SSLSocket) any.getSocketFactory().createSocket("127.0.0.1", port)) {
            socket.startHandshake();
            return (X509Certificate) socket.getSession().getPeerCertificates()[0];
        }
    }

    /** A configuration with its own data directory, the mx listener or the management listener on the given port. */
    private Path elsewhere(String name, int mx, int management) throws IOException {
        Path other = Files.createDirectories(dir.resolve(name));
        return Files.writeString(
                other.resolve("tern.yaml"),
                """
                hostname: tern.test
                data-dir: %s
                listeners:
                  mx: {address: 127.0.0.1, port: %d}
                  submission: {address: 127.0.0.1, port: 0}
                  smtps: {address: 127.0.0.1, port: 0}
                management: {address: 127.0.0.1, port: %d}
                """
                        .formatted(other.resolve("data"), mx, management));
    }

    /** The lines that are not log lines (a log line starts with its timestamp). */
    private static List<String> errors(TernProcess.Stopped stopped) {
        return stopped.output().stream()
                .filter(l -> !l.matches("\\d{4}-\\d\\d-\\d\\dT.*"))
                .toList();
    }
}
