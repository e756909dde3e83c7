package dev.tern.server.docker;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

/**
 * A load of plain SMTP sessions, one virtual thread each, that knows exactly which message got a
 * {@code 250}. Messages are numbered and taken by the sessions in turn; each attempt has its own
 * Message-ID ({@code <RUN-N-ATTEMPT@load.test>}). A {@code 4xx}/{@code 5xx} or a broken connection
 * ends that session's connection: the attempt counts as not accepted (its Message-ID is remembered, as
 * a message whose answer was lost may still arrive), and the same message is tried again with a new
 * Message-ID on a new connection, at most {@value #ATTEMPTS} times.
 */
final class SmtpLoad {
    static final int ATTEMPTS = 20;
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(60);
    private static final String BODY = ("The quick brown fox jumps over the lazy dog. ".repeat(20) + "\r\n").repeat(4);

    /** What a run did. */
    record Result(
            String run,
            int messages,
            Map<String, String> accepted,
            Map<String, String> notAccepted,
            long connectionErrors,
            long refusals,
            int givenUp,
            Duration elapsed) {
        double perSecond() {
            return accepted.size() / (elapsed.toNanos() / 1e9);
        }
    }

    private final String run;
    private final InetSocketAddress target;
    private final int sessions;
    private final int messages;
    private final IntFunction<InetAddress> source;
    private final String recipient;
    /** Message-ID of each accepted message, with the client address it was sent from. */
    private final Map<String, String> accepted = new ConcurrentHashMap<>();

    private final Map<String, String> notAccepted = new ConcurrentHashMap<>();
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger givenUp = new AtomicInteger();
    private final LongAdder connectionErrors = new LongAdder();
    private final LongAdder refusals = new LongAdder();

    /**
     * @param run names the run in every Message-ID
     * @param source the client address session {@code i} binds to
     */
    SmtpLoad(
            String run,
            InetSocketAddress target,
            int sessions,
            int messages,
            IntFunction<InetAddress> source,
            String recipient) {
        this.run = run;
        this.target = target;
        this.sessions = sessions;
        this.messages = messages;
        this.source = source;
        this.recipient = recipient;
    }

    /** Messages with a 250 so far (for a test watching a run in progress). */
    int acceptedSoFar() {
        return accepted.size();
    }

    Result run() throws InterruptedException {
        long start = System.nanoTime();
        try (ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor()) {
            for (int i = 0; i < sessions; i++) {
                InetAddress from = source.apply(i);
                threads.submit(() -> session(from));
            }
            threads.shutdown();
            if (!threads.awaitTermination(5, TimeUnit.MINUTES)) {
                throw new IllegalStateException(run + ": sessions still running after 5 minutes");
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
        return new Result(
                run,
                messages,
                Map.copyOf(accepted),
                Map.copyOf(notAccepted),
                connectionErrors.sum(),
                refusals.sum(),
                givenUp.get(),
                elapsed);
    }

    private void session(InetAddress from) {
        int message = next.getAndIncrement();
        int attempt = 1;
        Connection connection = null;
        while (message < messages) {
            String id = "<" + run + "-" + message + "-" + attempt + "@load.test>";
            try {
                if (connection == null) {
                    connection = new Connection(from, target);
                }
                if (connection.send(id, recipient, from.getHostAddress())) {
                    accepted.put(id, from.getHostAddress());
                    message = next.getAndIncrement();
                    attempt = 1;
                    continue;
                }
                refusals.increment();
            } catch (IOException e) {
                connectionErrors.increment();
            }
            notAccepted.put(id, from.getHostAddress());
            if (connection != null) {
                connection.close();
                connection = null;
            }
            if (++attempt > ATTEMPTS) {
                givenUp.incrementAndGet();
                message = next.getAndIncrement();
                attempt = 1;
            }
        }
        if (connection != null) {
            connection.quit();
        }
    }

    /** One SMTP connection, replies read line by line (multi-line replies up to their last line). */
    private static final class Connection {
        private final Socket socket;
        private final BufferedReader in;
        private final OutputStream out;

        Connection(InetAddress from, InetSocketAddress target) throws IOException {
            socket = new Socket();
            try {
                socket.bind(new InetSocketAddress(from, 0));
                socket.connect(target, 5_000);
                socket.setSoTimeout((int) SOCKET_TIMEOUT.toMillis());
                socket.setTcpNoDelay(true);
                in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
                out = socket.getOutputStream();
                expect(reply(), '2');
                write("EHLO client.load.test\r\n");
                expect(reply(), '2');
            } catch (IOException e) {
                close();
                throw e;
            }
        }

        /** True for a 250 to the message's end; false for any refusal on the way. */
        boolean send(String messageId, String recipient, String from) throws IOException {
            write("MAIL FROM:<load@load.test>\r\n");
            if (reply().charAt(0) != '2') {
                return false;
            }
            write("RCPT TO:<" + recipient + ">\r\n");
            if (reply().charAt(0) != '2') {
                write("RSET\r\n");
                reply();
                return false;
            }
            write("DATA\r\n");
            if (reply().charAt(0) != '3') {
                return false;
            }
            write("Message-ID: " + messageId + "\r\nFrom: <load@load.test>\r\nTo: <" + recipient
                    + ">\r\nSubject: cluster load from " + from + "\r\n\r\n" + BODY + ".\r\n");
            return reply().startsWith("250");
        }

        void quit() {
            try {
                write("QUIT\r\n");
                reply();
            } catch (IOException e) {
                // Everything was said; a connection closed before 221 changes nothing.
            }
            close();
        }

        void close() {
            try {
                socket.close();
            } catch (IOException e) {
                // Closing a socket that broke.
            }
        }

        private void write(String text) throws IOException {
            out.write(text.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        }

        private String reply() throws IOException {
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    throw new IOException("connection closed");
                }
                if (line.length() < 4 || line.charAt(3) != '-') {
                    if (line.length() < 3) {
                        throw new IOException("malformed reply: " + line);
                    }
                    return line;
                }
            }
        }

        private static void expect(String reply, char kind) throws IOException {
            if (reply.charAt(0) != kind) {
                throw new IOException("unexpected reply: " + reply);
            }
        }
    }
}
