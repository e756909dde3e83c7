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
import java.util.List;

/**
 * A plain SMTP client that hands one message to Tern's mx listener from loopback (a trusted network,
 * so relaying is allowed), asserting each reply, and returns the queue id from the final 250.
 */
final class Submitter {
    private Submitter() {}

    /**
     * Submits a small message with {@code subject} in its header; {@code from} may be "" for {@code <>}.
     * A recipient may carry RCPT parameters after a space: {@code "bob@example.net NOTIFY=SUCCESS"}.
     */
    static QueueId submit(InetSocketAddress mx, String from, List<String> to, String subject) {
        return transaction(mx, from, (out, in) -> {
            for (String rcpt : to) {
                int space = rcpt.indexOf(' ');
                String address = space < 0 ? rcpt : rcpt.substring(0, space);
                command(out, in, "RCPT TO:<" + address + ">" + (space < 0 ? "" : rcpt.substring(space)), "250");
            }
            command(out, in, "DATA", "354");
            String message = "From: <" + (from.isEmpty() ? "mailer-daemon@remote.test" : from) + ">\r\n"
                    + "To: <" + to.get(0).split(" ")[0] + ">\r\n"
                    + "Subject: " + subject + "\r\n"
                    + "\r\n"
                    + "Body of " + subject + ".\r\n"
                    + "..a line that needs its dot stuffed\r\n"
                    + ".\r\n";
            String queued = command(out, in, message, "250");
            return new QueueId(queued.substring(queued.lastIndexOf(' ') + 1));
        });
    }

    /** The reply to RCPT for {@code rcpt}, in a transaction from {@code from} that is then abandoned. */
    static String rcptReply(InetSocketAddress mx, String from, String rcpt) {
        return transaction(mx, from, (out, in) -> command(out, in, "RCPT TO:<" + rcpt + ">", ""));
    }

    /** What is said between MAIL and QUIT. */
    private interface Dialogue<T> {
        T run(OutputStream out, BufferedReader in) throws IOException;
    }

    private static <T> T transaction(InetSocketAddress mx, String from, Dialogue<T> dialogue) {
        try (Socket socket = new Socket()) {
            socket.connect(mx, 2000);
            socket.setSoTimeout(10_000);
            var in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            expect(in, "220");
            command(out, in, "EHLO client.test", "250");
            command(out, in, "MAIL FROM:<" + from + ">", "250");
            T result = dialogue.run(out, in);
            command(out, in, "QUIT", "221");
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String command(OutputStream out, BufferedReader in, String line, String code) throws IOException {
        out.write((line.endsWith("\r\n") ? line : line + "\r\n").getBytes(StandardCharsets.US_ASCII));
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
}
