package dev.tern.server.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;

/**
 * A byte-exact SMTP client for protocol tests: sends exactly the bytes it is given, reads one whole
 * reply at a time (multi-line aware, every line must end in CRLF), and never waits longer than
 * {@link #READ_TIMEOUT} so a server bug fails the test instead of hanging it.
 */
final class RawSmtpClient implements AutoCloseable {
    static final Duration READ_TIMEOUT = Duration.ofSeconds(10);

    /** One reply: its code and its lines as sent, without CRLF. */
    record Reply(int code, List<String> lines) {
        /** The last line, e.g. {@code 250 2.0.0 Ok}: what most assertions look at. */
        String last() {
            return lines.get(lines.size() - 1);
        }

        /** The text of each line after the code and separator (EHLO keywords, for instance). */
        List<String> texts() {
            return lines.stream().map(l -> l.substring(4)).toList();
        }

        @Override
        public String toString() {
            return String.join("\n", lines);
        }
    }

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private RawSmtpClient(Socket socket) throws IOException {
        use(socket);
    }

    static RawSmtpClient connect(InetSocketAddress address) {
        return connectFrom(null, address);
    }

    /**
     * Connects from {@code localAddress} (null: wherever the system picks). On Linux any 127.x.y.z will do,
     * so one test can be several clients.
     */
    static RawSmtpClient connectFrom(String localAddress, InetSocketAddress address) {
        try {
            Socket socket = new Socket();
            socket.bind(localAddress == null ? null : new InetSocketAddress(localAddress, 0));
            socket.connect(address, (int) READ_TIMEOUT.toMillis());
            return new RawSmtpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Connects with TLS from the first byte (RFC 8314 implicit TLS), offering only {@code protocols}
     * when any are given.
     */
    static RawSmtpClient connectTls(InetSocketAddress address, SSLContext tls, String... protocols) {
        try {
            SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket();
            socket.connect(address, (int) READ_TIMEOUT.toMillis());
            verifyHostname(socket, protocols);
            socket.startHandshake();
            return new RawSmtpClient(socket);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void use(Socket s) throws IOException {
        this.socket = s;
        s.setSoTimeout((int) READ_TIMEOUT.toMillis());
        s.setTcpNoDelay(true);
        this.in = s.getInputStream();
        this.out = s.getOutputStream();
    }

    private static void verifyHostname(SSLSocket socket, String... protocols) {
        var params = socket.getSSLParameters();
        params.setEndpointIdentificationAlgorithm("HTTPS");
        if (protocols.length > 0) {
            params.setProtocols(protocols);
        }
        socket.setSSLParameters(params);
    }

    /** Sends the text's bytes exactly (ISO-8859-1, so each char is one octet); nothing is added. */
    RawSmtpClient send(String raw) {
        return send(raw.getBytes(StandardCharsets.ISO_8859_1));
    }

    RawSmtpClient send(byte[] raw) {
        try {
            out.write(raw);
            out.flush();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Shuts our side down (a TCP half-close, as {@code nc -N} does): we send no more but still read. */
    RawSmtpClient shutdownOutput() {
        try {
            socket.shutdownOutput();
            return this;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends one command line (CRLF added) and reads its reply. */
    Reply command(String line) {
        send(line + "\r\n");
        return reply();
    }

    Reply reply() {
        return reply(READ_TIMEOUT);
    }

    /** Reads one complete reply (RFC 5321 4.2.1: {@code code-text} lines, then {@code code text}). */
    Reply reply(Duration timeout) {
        return read(timeout, false);
    }

    /** Reads one complete reply, or returns null when the server closes the connection before sending any. */
    Reply replyOrClose() {
        return read(READ_TIMEOUT, true);
    }

    private Reply read(Duration timeout, boolean closeAllowed) {
        try {
            socket.setSoTimeout((int) timeout.toMillis());
            List<String> lines = new ArrayList<>();
            while (true) {
                String line = readLine();
                if (line == null && closeAllowed && lines.isEmpty()) {
                    return null;
                }
                if (line == null) {
                    throw new IllegalStateException("connection closed after " + lines);
                }
                if (line.length() < 3 || (line.length() > 3 && line.charAt(3) != '-' && line.charAt(3) != ' ')) {
                    throw new IllegalStateException("not an SMTP reply line: '" + line + "'");
                }
                lines.add(line);
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    return new Reply(Integer.parseInt(line.substring(0, 3)), List.copyOf(lines));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            restoreTimeout();
        }
    }

    /** One line ending in CRLF, without it; null at end of stream. A bare CR or LF from the server fails. */
    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        while (true) {
            int b = in.read();
            if (b < 0) {
                if (line.size() > 0) {
                    throw new IllegalStateException("reply line without CRLF: " + line);
                }
                return null;
            }
            if (b == '\r') {
                if (in.read() != '\n') {
                    throw new IllegalStateException("bare CR in reply after: " + line);
                }
                return line.toString(StandardCharsets.UTF_8);
            }
            if (b == '\n') {
                throw new IllegalStateException("bare LF in reply after: " + line);
            }
            line.write(b);
        }
    }

    /** Asserts the server closes the connection next, sending nothing more. */
    void expectEof() {
        try {
            int b = in.read();
            if (b >= 0) {
                throw new AssertionError("expected end of stream, got more: " + (char) b + tail());
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server kept the connection open for " + READ_TIMEOUT);
        } catch (SocketException e) {
            // A reset is an ending too: the server closed with our unread bytes in its buffer.
        } catch (SSLException e) {
            // So is a TLS connection cut without close_notify, which the JDK reports this way.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads whatever the server sends until it closes (a reset counts as closing); fails on timeout. */
    String readToEof() {
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        try {
            byte[] chunk = new byte[512];
            for (int n; (n = in.read(chunk)) >= 0; ) {
                all.write(chunk, 0, n);
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("server kept the connection open for " + READ_TIMEOUT);
        } catch (SocketException e) {
            // Reset by the server: closed as well.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return all.toString(StandardCharsets.ISO_8859_1);
    }

    /** Asserts nothing arrives within {@code quiet} (the server is still waiting for us). */
    void expectSilence(Duration quiet) {
        try {
            socket.setSoTimeout((int) quiet.toMillis());
            int b = in.read();
            throw new AssertionError("expected silence, got " + (b < 0 ? "end of stream" : "'" + (char) b + tail()));
        } catch (SocketTimeoutException expected) {
            // Nothing came: what we wanted.
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            restoreTimeout();
        }
    }

    private String tail() throws IOException {
        byte[] more = new byte[Math.max(0, Math.min(in.available(), 200))];
        int n = in.read(more);
        return new String(more, 0, Math.max(n, 0), StandardCharsets.ISO_8859_1);
    }

    private void restoreTimeout() {
        try {
            if (!socket.isClosed()) {
                socket.setSoTimeout((int) READ_TIMEOUT.toMillis());
            }
        } catch (SocketException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * After a 220 to STARTTLS: wraps this connection in TLS, offering only {@code protocols} when any
     * are given, and completes the handshake.
     */
    void startTls(SSLContext tls, String... protocols) {
        try {
            SSLSocket ssl =
                    (SSLSocket) tls.getSocketFactory().createSocket(socket, TernFixture.HOST, socket.getPort(), true);
            ssl.setUseClientMode(true);
            verifyHostname(ssl, protocols);
            ssl.startHandshake();
            use(ssl);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Sends EHLO and returns the keywords Tern advertises (the lines after the greeting line). */
    List<String> ehlo(String name) {
        Reply reply = command("EHLO " + name);
        if (reply.code() != 250) {
            throw new AssertionError("EHLO refused: " + reply);
        }
        List<String> texts = reply.texts();
        return texts.subList(1, texts.size());
    }

    boolean isTls() {
        return socket instanceof SSLSocket;
    }

    /** The TLS version in use, e.g. {@code TLSv1.2}. */
    String tlsProtocol() {
        return ((SSLSocket) socket).getSession().getProtocol();
    }

    /**
     * Asks for a new handshake on the TLS connection: a renegotiation in TLS 1.2, a key update in TLS
     * 1.3. The JDK sends the first message and returns; the handshake goes on as data is read.
     */
    void renegotiate() {
        try {
            ((SSLSocket) socket).startHandshake();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads {@code n} octets, fewer only when the stream ends first. */
    byte[] read(int n) {
        try {
            return in.readNBytes(n);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
