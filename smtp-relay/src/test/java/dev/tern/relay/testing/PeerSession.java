package dev.tern.relay.testing;

import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import javax.net.ssl.SSLSocket;

/** One connection to the {@link ScriptedSmtpPeer}: what the client said, and in which socket read. */
public final class PeerSession {
    /** A command line and the number of the socket read it arrived in. */
    public record Line(String text, int read) {}

    private final ScriptedSmtpPeer peer;
    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private volatile Socket socket;
    private volatile boolean tls;
    private volatile boolean closed;
    private volatile String authenticatedUser;
    private PeerInput in;
    private OutputStream out;
    private String mailFrom;
    private List<String> rcptTo = new ArrayList<>();
    private final ByteArrayOutputStream chunks = new ByteArrayOutputStream();
    /** Messages this connection carried to their end, whatever the reply. */
    private int carried;

    private final String greeting;

    PeerSession(ScriptedSmtpPeer peer, Socket socket, String greeting) {
        this.peer = peer;
        this.socket = socket;
        this.greeting = greeting;
    }

    public List<Line> lines() {
        return List.copyOf(lines);
    }

    /** The command lines, in order. */
    public List<String> commands() {
        return lines.stream().map(Line::text).toList();
    }

    public boolean tls() {
        return tls;
    }

    public boolean closed() {
        return closed;
    }

    public String authenticatedUser() {
        return authenticatedUser;
    }

    /** Drops the connection without a word, as a crashed or impatient server would. */
    public void kill() {
        try {
            socket.close();
        } catch (IOException e) {
            // already gone
        }
    }

    void run() {
        try {
            if (peer.implicitTls) {
                upgrade();
            }
            open();
            send(greeting);
            if (!greeting.startsWith("2")) {
                flush();
                return;
            }
            flush();
            String line;
            while ((line = in.readLine()) != null) {
                lines.add(new Line(line, in.lastLineRead()));
                if (!command(line)) {
                    return;
                }
                if (!in.hasBuffered()) {
                    flush();
                }
            }
        } catch (IOException e) {
            // the client went away
        } finally {
            closed = true;
            kill();
        }
    }

    /** Handles one command; false when the session ends. */
    private boolean command(String line) throws IOException {
        String verb = (line.contains(" ") ? line.substring(0, line.indexOf(' ')) : line).toUpperCase(Locale.ROOT);
        String scripted = peer.replies.get(verb);
        if (scripted != null && !verb.equals("EHLO") && !verb.equals("STARTTLS") && !verb.equals("DATA")) {
            return answer(scripted);
        }
        switch (verb) {
            case "EHLO" -> {
                if (scripted != null) {
                    return answer(scripted);
                }
                List<String> ext = peer.extensions;
                send((ext.isEmpty() ? "250 " : "250-") + "peer.test greets you");
                for (int i = 0; i < ext.size(); i++) {
                    send((i == ext.size() - 1 ? "250 " : "250-") + ext.get(i));
                }
            }
            case "HELO" -> send("250 peer.test");
            case "STARTTLS" -> {
                if (scripted != null) {
                    return answer(scripted);
                }
                send("220 2.0.0 Ready to start TLS"
                        + (peer.afterStartTls.isEmpty() ? "" : "\r\n" + peer.afterStartTls));
                flush();
                upgrade();
                open();
            }
            case "AUTH" -> auth(line);
            case "MAIL" -> {
                String refusal = peer.mailAfterFirstMessage;
                if (refusal != null && carried > 0) {
                    return answer(refusal);
                }
                mailFrom = line.substring(5);
                rcptTo = new ArrayList<>();
                chunks.reset();
                send("250 2.1.0 Ok");
            }
            case "RCPT" -> {
                String address = line.substring(line.indexOf('<') + 1, line.indexOf('>'));
                String reply = peer.rcptReplies.getOrDefault(address, "250 2.1.5 Ok");
                if (reply.startsWith("2")) {
                    rcptTo.add(line.substring(5));
                }
                return answer(reply);
            }
            case "DATA" -> {
                return data(scripted);
            }
            case "BDAT" -> {
                return bdat(line);
            }
            case "RSET" -> {
                mailFrom = null;
                rcptTo = new ArrayList<>();
                send("250 2.0.0 Ok");
            }
            case "NOOP" -> send("250 2.0.0 Ok");
            case "QUIT" -> {
                send("221 2.0.0 Bye");
                flush();
                return false;
            }
            default -> send("500 5.5.2 unknown command");
        }
        return true;
    }

    private boolean data(String scripted) throws IOException {
        if (scripted != null && !scripted.startsWith("354")) {
            return answer(scripted);
        }
        if (rcptTo.isEmpty()) {
            return answer("554 5.5.1 no valid recipients");
        }
        send("354 End data with <CR><LF>.<CR><LF>");
        flush();
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        while (true) {
            byte[] raw = in.readRawLine();
            if (raw.length == 3 && raw[0] == '.') {
                break;
            }
            // RFC 5321 4.5.2: drop the first of a leading dot.
            int from = raw[0] == '.' ? 1 : 0;
            content.write(raw, from, raw.length - from);
        }
        return finish(content.toByteArray(), false);
    }

    private boolean bdat(String line) throws IOException {
        String[] words = line.split(" ");
        int size = Integer.parseInt(words[1]);
        boolean last = words.length > 2 && words[2].equalsIgnoreCase("LAST");
        chunks.write(in.readExactly(size));
        if (!last) {
            return answer("250 2.0.0 " + size + " octets received");
        }
        return finish(chunks.toByteArray(), true);
    }

    private boolean finish(byte[] content, boolean chunked) throws IOException {
        String reply = peer.replies.getOrDefault(".", "250 2.0.0 Ok: queued as SCRIPTED");
        var received = new ScriptedSmtpPeer.Received(mailFrom, List.copyOf(rcptTo), content, chunked);
        peer.attempted(received);
        if (reply.startsWith("2")) {
            peer.received(received);
        }
        mailFrom = null;
        rcptTo = new ArrayList<>();
        chunks.reset();
        carried++;
        return answer(reply);
    }

    private void auth(String line) throws IOException {
        String[] words = line.split(" ");
        String mechanism = words[1].toUpperCase(Locale.ROOT);
        String user;
        String pass;
        if (mechanism.equals("PLAIN")) {
            String[] parts = decode(words.length > 2 ? words[2] : prompt("")).split("\0", -1);
            user = parts[1];
            pass = parts[2];
        } else {
            user = decode(prompt("VXNlcm5hbWU6"));
            pass = decode(prompt("UGFzc3dvcmQ6"));
        }
        if (user.equals(peer.user) && pass.equals(peer.password)) {
            authenticatedUser = user + " (" + mechanism + ")";
            send("235 2.7.0 Authentication successful");
        } else {
            send("535 5.7.8 Authentication credentials invalid");
        }
    }

    private String prompt(String challenge) throws IOException {
        send("334 " + challenge);
        flush();
        String answer = in.readLine();
        lines.add(new Line(answer, in.lastLineRead()));
        return answer;
    }

    private static String decode(String base64) {
        return new String(Base64.getDecoder().decode(base64), StandardCharsets.UTF_8);
    }

    /**
     * Sends a scripted reply: HANG sends nothing, DROP closes at once, a reply followed by a line DROP closes
     * after it, and so does a 421 (RFC 5321 3.8).
     */
    private boolean answer(String reply) throws IOException {
        if (reply.equals(ScriptedSmtpPeer.HANG)) {
            return true;
        }
        if (reply.equals(ScriptedSmtpPeer.DROP)) {
            return false;
        }
        if (reply.endsWith("\n" + ScriptedSmtpPeer.DROP)) { // the reply, then the connection closed
            send(reply.substring(0, reply.length() - ScriptedSmtpPeer.DROP.length() - 1));
            flush();
            return false;
        }
        send(reply);
        if (reply.startsWith("421")) {
            flush();
            return false;
        }
        return true;
    }

    private void upgrade() throws IOException {
        SSLSocket ssl =
                (SSLSocket) peer.sslContext().getSocketFactory().createSocket(socket, null, socket.getPort(), true);
        ssl.setUseClientMode(false);
        ssl.startHandshake();
        socket = ssl;
        tls = true;
    }

    private void open() throws IOException {
        // A new reader after STARTTLS: nothing buffered in plaintext is read as protected (RFC 3207 6).
        in = new PeerInput(socket.getInputStream());
        out = new BufferedOutputStream(socket.getOutputStream());
    }

    private void send(String reply) throws IOException {
        out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
    }

    private void flush() throws IOException {
        out.flush();
    }
}
