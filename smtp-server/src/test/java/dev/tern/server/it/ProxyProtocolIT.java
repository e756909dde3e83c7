package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
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
 * The PROXY protocol (HAProxy's doc/proxy-protocol.txt) over real sockets. The load balancer is
 * 127.0.0.1, in front of the mx and smtps listeners; 127.0.0.2 is a client that is no balancer. The
 * address a header carries is the client's for limits, relay permission and the Received field; a
 * header from anyone else, no header, a late or a broken one ends the connection.
 */
class ProxyProtocolIT {
    static final String BALANCER = "127.0.0.1";
    static final String STRANGER = "127.0.0.2";

    @TempDir
    static Path dataDir;

    private static TernFixture tern;

    @BeforeAll
    static void start() {
        tern = TernFixture.start(
                dataDir,
                Map.of(
                        "TERN_LISTENERS_MX_PROXY_PROTOCOL_FROM", BALANCER,
                        "TERN_LISTENERS_SMTPS_PROXY_PROTOCOL_FROM", BALANCER,
                        // Neither the balancer nor loopback: only proxied clients from here may relay.
                        "TERN_RELAY_TRUSTED_NETWORKS", "192.0.2.0/24",
                        "TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "2",
                        "TERN_TIMEOUTS_PROXY_HEADER", "1s"));
    }

    @AfterAll
    static void stop() {
        tern.close();
    }

    @ParameterizedTest(name = "v{0} {1} {2}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # version | command or protocol | source         | client in the Received field
            1         | TCP4                | 198.51.100.7   | [198.51.100.7]
            1         | TCP6                | 2001:db8::7    | [IPv6:2001:db8:0:0:0:0:0:7]
            # a balancer that cannot tell: its own address stands (section 2.1)
            1         | UNKNOWN             |                | [127.0.0.1]
            2         | TCP4                | 198.51.100.8   | [198.51.100.8]
            2         | TCP6                | 2001:db8::8    | [IPv6:2001:db8:0:0:0:0:0:8]
            # a health check by the balancer itself (section 2.2)
            2         | LOCAL               |                | [127.0.0.1]
            """)
    void takesTheClientAddressFromTheHeader(int version, String kind, String source, String literal) {
        String subject = "v" + version + " " + kind;
        try (RawSmtpClient c = proxied(tern.mx(), header(version, kind, source))) {
            c.ehlo("client.test");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: " + subject + "\r\n\r\nhi\r\n.\r\n")
                            .reply()
                            .last())
                    .startsWith("250 2.0.0");
        }
        assertThat(tern.storedContents())
                .filteredOn(m -> m.contains("Subject: " + subject + "\r\n"))
                .singleElement()
                .asString()
                .startsWith("Received: from client.test (" + literal + ")\r\n");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # client named by the header           | source         | RCPT to another domain
            in relay.trusted-networks              | 192.0.2.10     | 250 2.1.5
            outside it (the balancer is, too)      | 198.51.100.9   | 554 5.7.1
            """)
    void relaysOnlyForATrustedClientAddress(String what, String source, String expected) {
        try (RawSmtpClient c = proxied(tern.mx(), v1("TCP4", source))) {
            c.ehlo("client.test");
            assertThat(c.command("MAIL FROM:<a@remote.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<someone@elsewhere.test>").last()).startsWith(expected);
        }
    }

    @Test
    void countsConnectionsPerClientAddressNotPerBalancer() {
        try (RawSmtpClient first = proxied(tern.mx(), v1("TCP4", "198.51.100.20"));
                RawSmtpClient second = proxied(tern.mx(), v2("TCP4", "198.51.100.20"));
                RawSmtpClient third = tern.connect(tern.mx())) {
            // limits.max-connections-per-ip is 2: a third connection carrying the same client is refused...
            third.send(v1("TCP4", "198.51.100.20"));
            assertThat(third.reply().last()).startsWith("421 4.7.0");
            third.expectEof();
            // ...while the balancer still brings others.
            try (RawSmtpClient other = proxied(tern.mx(), v1("TCP4", "198.51.100.21"))) {
                assertThat(other.command("NOOP").code()).isEqualTo(250);
            }
            assertThat(first.command("NOOP").code()).isEqualTo(250);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # who sends a header, to which listener   | from       | listener
            a client that is no balancer               | 127.0.0.2  | mx
            the balancer, to a listener without PROXY  | 127.0.0.1  | submission
            """)
    void closesAHeaderFromAPeerNotAllowedToSendOne(String what, String from, String listener) {
        double before = refusals();
        for (byte[] header : new byte[][] {v1("TCP4", "192.0.2.10"), v2("TCP4", "192.0.2.10")}) {
            try (RawSmtpClient c = tern.connectFrom(from, tern.server().address(listener))) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.send(header);
                c.send("EHLO client.test\r\nQUIT\r\n");
                assertThat(c.reply().last()).isEqualTo("554 5.7.0 PROXY header not accepted, closing connection");
                c.expectEof();
            }
        }
        await().untilAsserted(() -> assertThat(refusals()).isEqualTo(before + 2));
    }

    @Test
    void closesAHeaderFromANonBalancerOnTheImplicitTlsListenerBeforeTls() {
        try (RawSmtpClient c = tern.connectFrom(STRANGER, tern.smtps())) {
            c.send(v1("TCP4", "192.0.2.10"));
            // No TLS yet, so nothing can be said: the connection just ends.
            assertThat(c.readToEof()).isEmpty();
        }
    }

    @Test
    void closesWithoutAGreetingWhenTheBalancerSendsNoHeader() {
        double before = refusals();
        try (RawSmtpClient c = tern.connectFrom(BALANCER, tern.mx())) {
            long start = System.nanoTime();
            // timeouts.proxy-header is 1s here.
            assertThat(c.readToEof()).isEmpty();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isBetween(Duration.ofMillis(900), Duration.ofSeconds(5));
        }
        await().untilAsserted(() -> assertThat(refusals()).isEqualTo(before + 1));
    }

    @Test
    void closesWithoutAGreetingWhenTheBalancerSendsSomethingElse() {
        double before = refusals();
        try (RawSmtpClient c = tern.connectFrom(BALANCER, tern.mx())) {
            c.send("EHLO client.test\r\nMAIL FROM:<a@remote.test>\r\n");
            assertThat(c.readToEof()).isEmpty();
        }
        // The decoder closes the connection before the refusal is counted: wait for it, so that it is not
        // counted in the next test's turn (the tests share one Tern).
        await().untilAsserted(() -> assertThat(refusals()).isEqualTo(before + 1));
    }

    @Test
    void takesTheHeaderBeforeTlsOnTheImplicitTlsListener() {
        try (RawSmtpClient c = tern.connectFrom(BALANCER, tern.smtps())) {
            c.send(v1("TCP4", "198.51.100.30"));
            c.startTls(tern.clientTls());
            assertThat(c.reply().code()).isEqualTo(220);
            c.ehlo("client.test");
            assertThat(c.command("AUTH PLAIN " + TlsAndAuthIT.plain(TernFixture.USER, TernFixture.PASSWORD))
                            .code())
                    .isEqualTo(235);
            assertThat(c.command("MAIL FROM:<alice@local.test>").code()).isEqualTo(250);
            assertThat(c.command("RCPT TO:<bob@local.test>").code()).isEqualTo(250);
            assertThat(c.command("DATA").code()).isEqualTo(354);
            assertThat(c.send("Subject: over TLS\r\n\r\nhi\r\n.\r\n").reply().last())
                    .startsWith("250 2.0.0");
        }
        assertThat(tern.storedContents())
                .filteredOn(m -> m.contains("Subject: over TLS\r\n"))
                .singleElement()
                .asString()
                .startsWith("Received: from client.test ([198.51.100.30])\r\n\tby tern.test (Tern) with ESMTPSA");
    }

    /** Connects from the balancer, sends {@code header}, and reads the greeting. */
    private static RawSmtpClient proxied(InetSocketAddress listener, byte[] header) {
        RawSmtpClient c = tern.connectFrom(BALANCER, listener);
        c.send(header);
        assertThat(c.reply().code()).isEqualTo(220);
        return c;
    }

    private static double refusals() {
        return tern.refusals("proxy_header");
    }

    private static byte[] header(int version, String kind, String source) {
        return version == 1 ? v1(kind, source) : v2(kind, source);
    }

    /** Section 2.1: {@code PROXY TCP4 src dst sport dport CRLF}, or {@code PROXY UNKNOWN CRLF}. */
    static byte[] v1(String protocol, String source) {
        String destination = protocol.equals("TCP6") ? "2001:db8::1" : "192.0.2.1";
        String line = source == null
                ? "PROXY " + protocol + "\r\n"
                : "PROXY " + protocol + " " + source + " " + destination + " 40000 25\r\n";
        return line.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * Section 2.2, written by hand (not with Netty's encoder, so the decoder is checked against the
     * specification): the signature, version 2 with its command, the family and transport, the length,
     * then source and destination addresses and ports.
     */
    static byte[] v2(String kind, String source) {
        if (kind.equals("LOCAL")) {
            return ByteBuffer.allocate(16)
                    .put(V2_SIGNATURE)
                    .put((byte) 0x20)
                    .put((byte) 0x00)
                    .putShort((short) 0)
                    .array();
        }
        byte[] src = literal(source);
        byte[] dst = literal(src.length == 4 ? "192.0.2.1" : "2001:db8::1");
        return ByteBuffer.allocate(16 + 2 * src.length + 4)
                .put(V2_SIGNATURE)
                .put((byte) 0x21) // version 2, PROXY
                .put((byte) (src.length == 4 ? 0x11 : 0x21)) // TCP over IPv4 or IPv6
                .putShort((short) (2 * src.length + 4))
                .put(src)
                .put(dst)
                .putShort((short) 40000)
                .putShort((short) 25)
                .array();
    }

    private static final byte[] V2_SIGNATURE = {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A};

    private static byte[] literal(String address) {
        try {
            return InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(address, e);
        }
    }
}
