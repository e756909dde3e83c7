package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The implicit-TLS listener lets go of a connection it has nothing to say to at once, not after the TLS
 * handshake's timeout (30 s): one the client closes its side of before any handshake, and one refused by
 * a connection limit (RFC 8314 3.3: no reply can be sent before TLS). Held until the timeout, such sockets
 * let one address open file descriptors far past every connection limit.
 */
class ImplicitTlsClosingIT {
    /** Far shorter than the handshake timeout; long enough for a slow machine to close a socket. */
    private static final int PROMPTLY_MILLIS = 5_000;

    @TempDir
    static Path dataDir;

    private static TernFixture tern;

    @BeforeAll
    static void start() {
        tern = TernFixture.start(dataDir, Map.of("TERN_LIMITS_MAX_CONNECTIONS_PER_IP", "1"));
    }

    @AfterAll
    static void stop() {
        tern.close();
    }

    @Test
    void aClientThatClosesItsSideBeforeTheHandshakeIsClosedAtOnce() throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(tern.smtps(), PROMPTLY_MILLIS);
            socket.shutdownOutput();
            assertClosedPromptly(socket);
        }
    }

    @Test
    void aConnectionOverThePerAddressLimitIsClosedAtOnceWithoutAReply() throws IOException {
        try (SSLSocket held = (SSLSocket) tern.clientTls().getSocketFactory().createSocket()) {
            // Not a trusted network, so the per-address limit of one applies.
            held.bind(new InetSocketAddress("127.0.0.2", 0));
            held.connect(tern.smtps(), PROMPTLY_MILLIS);
            held.setSoTimeout(PROMPTLY_MILLIS);
            held.startHandshake();
            assertThat(new String(held.getInputStream().readNBytes(4), StandardCharsets.US_ASCII))
                    .isEqualTo("220 ");
            try (Socket refused = new Socket()) {
                refused.bind(new InetSocketAddress("127.0.0.2", 0));
                refused.connect(tern.smtps(), PROMPTLY_MILLIS);
                assertClosedPromptly(refused);
            }
        }
    }

    private static void assertClosedPromptly(Socket socket) throws IOException {
        socket.setSoTimeout(PROMPTLY_MILLIS);
        InputStream in = socket.getInputStream();
        try {
            // A TLS alert may come first; then the end of the stream, Tern having closed the connection.
            assertThat(in.readNBytes(64 * 1024).length)
                    .as("octets before the end")
                    .isLessThan(64 * 1024);
        } catch (SocketTimeoutException e) {
            throw new AssertionError("the connection was still open after " + PROMPTLY_MILLIS + " ms", e);
        }
    }
}
