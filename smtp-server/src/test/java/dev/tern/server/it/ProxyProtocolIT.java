package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The PROXY protocol (HAProxy's doc/proxy-protocol.txt) over real sockets: a peer that may not send a
 * header and begins with one is closed before it can choose its own address.
 */
class ProxyProtocolIT {
    /** Section 2.2: the binary header's signature, then version 2 PROXY, TCP over IPv4, 12 octets. */
    static final String V2_START = "\r\n\r\n\0\r\nQUIT\n\u0021\u0011\0\u000c";

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(
            strings = {
                // version 1
                "PROXY TCP4 192.0.2.7 127.0.0.1 40000 25\r\n",
                // version 2: the signature is enough
                V2_START
            })
    void closesAHeaderOnAListenerWithoutProxyProtocol(String header) {
        try (TernFixture tern = TernFixture.start(dataDir, Map.of());
                RawSmtpClient c = tern.connect(tern.mx())) {
            assertThat(c.reply().code()).isEqualTo(220);
            c.send(header + "EHLO client.test\r\nQUIT\r\n");
            assertThat(c.reply().last()).isEqualTo("554 5.7.0 PROXY header not accepted, closing connection");
            c.expectEof();
        }
    }

    @Test
    void closesAHeaderBeforeTlsOnTheImplicitTlsListener() {
        try (TernFixture tern = TernFixture.start(dataDir, Map.of());
                RawSmtpClient c = tern.connect(tern.smtps())) {
            c.send("PROXY TCP4 192.0.2.7 127.0.0.1 40000 465\r\n");
            // No TLS yet, so nothing can be said: the connection just ends.
            assertThat(c.readToEof()).isEmpty();
        }
    }
}
