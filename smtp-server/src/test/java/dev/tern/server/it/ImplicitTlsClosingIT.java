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
 * a connection limit (RFC 8314 3.3: no reply can be sent before TLS); and one whose client ended TLS with its
 * close_notify once the replies it awaits are written, not after the command timeout. Held until the timeout, such sockets
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

    /**
     * After its close_notify a client sends nothing more (RFC 8446 6.1). TLS 1.3 leaves the other side open, so
     * without its own handling Tern held such a connection, and its per-address slot, for the whole command
     * timeout, and then wrote a 421 nobody could answer. It is an end of input, as a TCP half-close: the commands
     * before it are answered, then the connection is closed.
     */
    @Test
    void aClientsCloseNotifyUnderTls13EndsTheSessionAfterTheRepliesItAwaits() throws IOException {
        try (Socket tcp = new Socket();
                SSLSocket socket = layered(tcp)) {
            socket.setEnabledProtocols(new String[] {"TLSv1.3"});
            socket.setSoTimeout(PROMPTLY_MILLIS);
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            socket.getOutputStream().write("NOOP\r\n".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            // close_notify, and no more from this side; the TCP connection stays open both ways (a layered socket's
            // shutdown ends TLS only), so only the close_notify tells Tern.
            socket.shutdownOutput();
            assertThat(tcp.isOutputShutdown()).isFalse();
            InputStream in = socket.getInputStream();
            String replies;
            try {
                replies = new String(in.readNBytes(64 * 1024), StandardCharsets.US_ASCII);
            } catch (SocketTimeoutException e) {
                throw new AssertionError("the connection was still open after " + PROMPTLY_MILLIS + " ms", e);
            }
            assertThat(replies).startsWith("220 ").endsWith("\r\n250 2.0.0 Ok\r\n");
        }
    }

    /** TLS over {@code tcp}, connected to the smtps listener; closing it does not close {@code tcp}. */
    private static SSLSocket layered(Socket tcp) throws IOException {
        tcp.connect(tern.smtps(), PROMPTLY_MILLIS);
        return (SSLSocket) tern.clientTls()
                .getSocketFactory()
                .createSocket(tcp, tern.smtps().getHostString(), tern.smtps().getPort(), false);
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
