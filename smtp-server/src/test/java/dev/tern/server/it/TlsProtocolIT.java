package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.server.testing.ExternalTools;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What Tern's TLS refuses, on both the STARTTLS (RFC 3207) and the implicit-TLS (RFC 8314) listener:
 * a TLS 1.2 renegotiation started by the client, and any version older than TLS 1.2 (RFC 8996). The
 * clients are the JDK's, hand-made ClientHello records, and {@code openssl s_client} when installed.
 */
class TlsProtocolIT {
    @TempDir
    static Path dataDir;

    private static TernFixture tern;

    @BeforeAll
    static void start() {
        tern = TernFixture.start(dataDir, Map.of());
    }

    @AfterAll
    static void stop() {
        tern.close();
    }

    @Test
    void closesTheConnectionWhenATls12ClientRenegotiatesAfterStartTls() {
        try (RawSmtpClient c = tern.connect(tern.mx())) {
            c.reply();
            c.ehlo("client.test");
            assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
            c.startTls(tern.clientTls(), "TLSv1.2");
            assertThat(c.tlsProtocol()).isEqualTo("TLSv1.2");
            assertThat(c.ehlo("client.test")).contains("AUTH PLAIN LOGIN");
            c.renegotiate();
            c.expectEof();
        }
    }

    @Test
    void closesTheConnectionWhenATls12ClientRenegotiatesOnTheImplicitTlsListener() {
        try (RawSmtpClient c = RawSmtpClient.connectTls(tern.smtps(), tern.clientTls(), "TLSv1.2")) {
            assertThat(c.tlsProtocol()).isEqualTo("TLSv1.2");
            assertThat(c.reply().code()).isEqualTo(220);
            assertThat(c.command("NOOP").last()).startsWith("250 2.0.0");
            c.renegotiate();
            c.expectEof();
        }
    }

    /** TLS 1.3 has no renegotiation: a new handshake request is a key update, and the session goes on. */
    @Test
    void keepsATls13SessionThroughAKeyUpdate() {
        try (RawSmtpClient c = RawSmtpClient.connectTls(tern.smtps(), tern.clientTls(), "TLSv1.3")) {
            assertThat(c.tlsProtocol()).isEqualTo("TLSv1.3");
            assertThat(c.reply().code()).isEqualTo(220);
            c.renegotiate();
            assertThat(c.command("NOOP").last()).startsWith("250 2.0.0");
            c.renegotiate();
            assertThat(c.command("NOOP").last()).startsWith("250 2.0.0");
        }
    }

    /** The JDK refuses to offer these versions itself, so the ClientHello is written by hand. */
    @ParameterizedTest(name = "{0} on {1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # version | listener
            SSL3      | mx
            TLS10     | mx
            TLS11     | mx
            SSL3      | smtps
            TLS10     | smtps
            TLS11     | smtps
            """)
    void refusesVersionsOlderThanTls12(String version, String listener) throws Exception {
        double failedBefore = tlsFailures(listener);
        try (RawSmtpClient c = tlsStart(listener)) {
            c.send(ClientHellos.offering(
                    ClientHellos.class.getDeclaredField(version).getInt(null)));
            byte[] alert = c.read(7);
            assertThat(alert[0]).as("an alert record, no ServerHello").isEqualTo((byte) ClientHellos.ALERT);
            assertThat(alert[5]).as("fatal").isEqualTo((byte) 2);
            assertThat(alert[6]).isEqualTo((byte) ClientHellos.PROTOCOL_VERSION);
            c.expectEof();
        }
        // At least: a handshake another test left may end meanwhile.
        await().atMost(Duration.ofSeconds(5))
                .untilAsserted(() -> assertThat(tlsFailures(listener)).isGreaterThanOrEqualTo(failedBefore + 1));
    }

    /** {@code smtp.server.tls.failures} of one listener (docs/metrics.md). */
    private static double tlsFailures(String listener) {
        return tern.server()
                .meterRegistry()
                .get("smtp.server.tls.failures")
                .tag("listener", listener)
                .counter()
                .count();
    }

    /** The same hand-made ClientHello for TLS 1.2 gets a ServerHello: the refusals above are for the version. */
    @ParameterizedTest
    @CsvSource({"mx", "smtps"})
    void answersTheSameHelloForTls12(String listener) {
        try (RawSmtpClient c = tlsStart(listener)) {
            c.send(ClientHellos.offering(ClientHellos.TLS12));
            assertThat(c.read(1)[0]).isEqualTo((byte) ClientHellos.HANDSHAKE);
        }
    }

    @Test
    void closesTheConnectionWhenOpenSslRenegotiates() {
        ExternalTools.require("openssl", "openssl");
        try (OpenSslClient openssl =
                OpenSslClient.connect(tern.mx(), "-starttls", "smtp", "-tls1_2", "-name", "client.test")) {
            openssl.awaitOutput("Verify return code");
            openssl.type("R");
            openssl.awaitExit();
            assertThat(openssl.output()).contains("Protocol  : TLSv1.2").contains("RENEGOTIATING");
        }
    }

    @ParameterizedTest
    @CsvSource({"-tls1", "-tls1_1"})
    void refusesOpenSslOfferingAnOldVersion(String option) {
        ExternalTools.require("openssl", "openssl");
        // Security level 0: OpenSSL 3 would not offer these versions itself otherwise.
        try (OpenSslClient openssl =
                OpenSslClient.connect(tern.smtps(), option, "-cipher", "DEFAULT:@SECLEVEL=0", "-name", "client.test")) {
            assertThat(openssl.awaitExit()).isNotZero();
            assertThat(openssl.output()).containsIgnoringCase("alert protocol version");
        }
    }

    /** Connected and ready for a ClientHello: after STARTTLS on the MX listener, at once on smtps. */
    private static RawSmtpClient tlsStart(String listener) {
        InetSocketAddress address = tern.server().address(listener);
        RawSmtpClient c = tern.connect(address);
        if (listener.equals("mx")) {
            c.reply();
            c.ehlo("client.test");
            assertThat(c.command("STARTTLS").last()).startsWith("220 2.0.0");
        }
        return c;
    }
}
