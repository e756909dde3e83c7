package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.queue.QueueId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A plain SMTP client that hands one message to Tern and returns the queue id from the final 250,
 * asserting each reply: from loopback to the mx listener (a trusted network, so relaying is allowed),
 * or as an authenticated user to the smtps listener.
 */
final class Submitter {
    private Submitter() {}

    /**
     * Submits a small message with {@code subject} in its header; {@code from} may be "" for {@code <>}; a
     * recipient may carry RCPT parameters after a space ({@code "a@b.test NOTIFY=SUCCESS"}).
     */
    static QueueId submit(InetSocketAddress mx, String from, List<String> to, String subject) {
        return submitWith(mx, "<" + from + ">", from, to, subject);
    }

    /**
     * As {@link #submit(InetSocketAddress, String, List, String)}, with MAIL's whole argument after {@code
     * FROM:} given ({@code "<a@b.test> RET=HDRS ENVID=x"}).
     */
    static QueueId submitWith(InetSocketAddress mx, String mailFrom, String from, List<String> to, String subject) {
        String message = "From: <" + (from.isEmpty() ? "mailer-daemon@remote.test" : from) + ">\r\n"
                + "To: <" + to.get(0).split(" ")[0] + ">\r\n"
                + "Subject: " + subject + "\r\n"
                + "\r\n"
                + "Body of " + subject + ".\r\n"
                + ".a line that needs its dot stuffed\r\n";
        return transaction(plain(mx), null, mailFrom, (out, in) -> data(out, in, to, message));
    }

    /**
     * Submits {@code message} (header and body, CRLF lines, not dot-stuffed) as {@code user} over the
     * smtps listener (RFC 8314), where Tern's submission rules apply.
     */
    static QueueId submitAuthenticated(
            InetSocketAddress smtps, String user, String password, String from, String to, String message) {
        return submitAuthenticated(smtps, user, password, "<" + from + ">", List.of(to), message);
    }

    /**
     * As {@link #submitAuthenticated(InetSocketAddress, String, String, String, String, String)}, with MAIL's
     * whole argument after {@code FROM:} given ({@code "<a@b.test> REQUIRETLS"}).
     */
    static QueueId submitAuthenticated(
            InetSocketAddress smtps, String user, String password, String mailFrom, List<String> to, String message) {
        String plain =
                Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return transaction(tls(smtps), "AUTH PLAIN " + plain, mailFrom, (out, in) -> data(out, in, to, message));
    }

    /** The reply to RCPT for {@code rcpt}, in a transaction from {@code from} that is then abandoned. */
    static String rcptReply(InetSocketAddress mx, String from, String rcpt) {
        return transaction(
                plain(mx), null, "<" + from + ">", (out, in) -> command(out, in, "RCPT TO:<" + rcpt + ">", ""));
    }

    /** What is said between MAIL and QUIT. */
    private interface Dialogue<T> {
        T run(OutputStream out, BufferedReader in) throws IOException;
    }

    private static QueueId data(OutputStream out, BufferedReader in, List<String> to, String message)
            throws IOException {
        for (String rcpt : to) {
            int space = rcpt.indexOf(' ');
            String address = space < 0 ? rcpt : rcpt.substring(0, space);
            command(out, in, "RCPT TO:<" + address + ">" + (space < 0 ? "" : rcpt.substring(space)), "250");
        }
        command(out, in, "DATA", "354");
        // RFC 5321 4.5.2: a line that starts with a dot gets another.
        String stuffed = ("\r\n" + message).replace("\r\n.", "\r\n..").substring(2);
        String queued = command(out, in, stuffed + ".\r\n", "250");
        return new QueueId(queued.substring(queued.lastIndexOf(' ') + 1));
    }

    /** @param mailFrom MAIL's argument after {@code FROM:}: the path in brackets and any parameters */
    private static <T> T transaction(Socket socket, String auth, String mailFrom, Dialogue<T> dialogue) {
        try (socket) {
            socket.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO client.test", "250");
            if (auth != null) {
                command(out, in, auth, "235");
            }
            command(out, in, "MAIL FROM:" + mailFrom, "250");
            T result = dialogue.run(out, in);
            command(out, in, "QUIT", "221");
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Socket plain(InetSocketAddress address) {
        try {
            Socket socket = new Socket();
            socket.connect(address, 2000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** TLS from the first byte; Tern's certificate is self-signed and this is loopback, so any is trusted. */
    private static Socket tls(InetSocketAddress address) {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new AnyCertificate()}, null);
            Socket socket = context.getSocketFactory().createSocket();
            socket.connect(address, 2000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line.endsWith("\r\n") ? line : line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
        return expect(in, code);
    }

    /** Reads a (possibly multi-line) reply and returns its last line. */
    private static String expect(BufferedReader in, String code) throws IOException {
        String line;
        do {
            line = in.readLine();
            assertThat(line).as("reply from Tern").isNotNull();
        } while (line.length() > 3 && line.charAt(3) == '-');
        assertThat(line).as("Tern's reply").startsWith(code);
        return line;
    }

    private static final class AnyCertificate implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
