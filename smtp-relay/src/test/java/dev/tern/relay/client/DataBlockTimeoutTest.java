package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.delivery.DeliveryStatus;
import io.netty.handler.ssl.util.SelfSignedCertificate;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RFC 5321 4.5.3.2.5: the data block timeout is for each send, not for the whole message. A peer on a slow
 * link that keeps taking the content gets all of it, however long that takes; one that stops taking it is
 * given up on one timeout after it stopped.
 */
class DataBlockTimeoutTest {
    private static final Duration BLOCK = Duration.ofSeconds(1);
    /** Far more than the loopback socket buffers hold (4 MiB to send, a few KiB to receive). */
    private static final int SIZE = 12 << 20;

    private final ClientFixture fixture = new ClientFixture();
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void close() throws Exception {
        pace.shutdownNow();
        fixture.close();
    }

    /** In plaintext the content is one buffer written bit by bit; under TLS (STARTTLS) it goes as records. */
    @ParameterizedTest(name = "tls {0}")
    @ValueSource(booleans = {false, true})
    void aPeerThatKeepsTakingTheContentGetsAllOfItPastTheTimeout(boolean tls) throws Exception {
        // 32 KiB every 10 ms: about four seconds for the message, each step far inside the timeout.
        try (PacedPeer peer = new PacedPeer(pace, 32 << 10, Long.MAX_VALUE, tls)) {
            AttemptResult result = deliver(peer);

            assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                    .singleElement()
                    .satisfies(o -> assertThat(o.status()).as(o.toString()).isEqualTo(DeliveryStatus.DELIVERED)));
            assertThat(peer.contentRead.get()).isGreaterThan(SIZE - 1000);
            assertThat(peer.elapsedMillis()).as("longer than one timeout").isGreaterThan(2 * BLOCK.toMillis());
        }
    }

    @ParameterizedTest(name = "tls {0}")
    @ValueSource(booleans = {false, true})
    void aPeerThatStopsTakingTheContentIsGivenUpOn(boolean tls) throws Exception {
        try (PacedPeer peer = new PacedPeer(pace, 32 << 10, SIZE / 3, tls)) {
            AttemptResult result = deliver(peer);

            assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                    .singleElement()
                    .satisfies(o -> {
                        assertThat(o.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                        assertThat(o.enhancedStatus()).hasToString("4.4.2");
                        assertThat(o.diagnostic()).contains("the server took nothing for 1s");
                    }));
        }
    }

    private AttemptResult deliver(PacedPeer peer) throws Exception {
        SmtpClientOptions options = ClientFixture.options().withTimeouts(BLOCK, Duration.ofSeconds(5));
        String content = "Subject: big\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(SIZE / 1000);
        return fixture.deliver(
                fixture.client(options), peer.address(), ClientRoute.mx(), fixture.request(content, "a@dest.test"));
    }

    /**
     * A peer that answers at once but reads the message content at {@code step} octets each 10 ms, and none at all past {@code readLimit} octets of content.
     */
    private static final class PacedPeer implements AutoCloseable {
        final AtomicLong contentRead = new AtomicLong();
        private final ServerSocket server;
        private final Semaphore turns = new Semaphore(0);
        private final CountDownLatch released = new CountDownLatch(1);
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long started = System.nanoTime();
        private volatile long finished;
        /** Offers STARTTLS with a self-signed certificate when set (the client's opportunistic TLS takes any). */
        private final SSLContext tls;

        PacedPeer(ScheduledExecutorService pace, int step, long readLimit, boolean tls) throws Exception {
            this.tls = tls ? serverContext() : null;
            server = new ServerSocket();
            // Inherited by the accepted socket, and fixed: the kernel does not grow it, so TCP pushes back early.
            server.setReceiveBufferSize(256 << 10);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            // Each tick allows another step, counted in KiB: what a read takes, it pays for before the next.
            pace.scheduleAtFixedRate(() -> turns.release(step >> 10), 10, 10, TimeUnit.MILLISECONDS);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    reply(s.getOutputStream(), "220 paced.test");
                    converse(s, s.getInputStream(), s.getOutputStream(), step, readLimit);
                    done.complete(null);
                } catch (IOException | InterruptedException e) {
                    done.completeExceptionally(e);
                }
            });
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.getLocalSocketAddress();
        }

        long elapsedMillis() {
            return TimeUnit.NANOSECONDS.toMillis(finished - started);
        }

        private void converse(Socket socket, InputStream in, OutputStream out, int step, long readLimit)
                throws IOException, InterruptedException {
            for (String line; (line = line(in)) != null; ) {
                String verb = line.length() < 4 ? line : line.substring(0, 4);
                switch (verb) {
                    case "EHLO" ->
                        reply(
                                out,
                                tls != null && !(socket instanceof SSLSocket)
                                        ? "250-paced.test\r\n250 STARTTLS"
                                        : "250 paced.test");
                    case "STAR" -> {
                        reply(out, "220 go ahead");
                        SSLSocket secured = (SSLSocket) tls.getSocketFactory()
                                .createSocket(
                                        socket, socket.getInetAddress().getHostAddress(), socket.getPort(), false);
                        secured.setUseClientMode(false);
                        secured.startHandshake();
                        converse(secured, secured.getInputStream(), secured.getOutputStream(), step, readLimit);
                        return;
                    }
                    case "DATA" -> {
                        reply(out, "354 go on");
                        if (!content(in, step, readLimit)) {
                            // Stalled, not gone: the connection stays open until the test ends.
                            released.await();
                            return;
                        }
                        finished = System.nanoTime();
                        reply(out, "250 2.0.0 taken");
                    }
                    case "QUIT" -> {
                        reply(out, "221 bye");
                        return;
                    }
                    default -> reply(out, "250 2.0.0 ok");
                }
            }
        }

        private static SSLContext serverContext() throws Exception {
            SelfSignedCertificate cert = new SelfSignedCertificate("paced.test");
            KeyStore store = KeyStore.getInstance("PKCS12");
            store.load(null, null);
            char[] pass = "paced".toCharArray();
            store.setKeyEntry("paced", cert.key(), pass, new Certificate[] {cert.cert()});
            KeyManagerFactory keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            keys.init(store, pass);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(keys.getKeyManagers(), null, null);
            return context;
        }

        /** Reads up to the final dot, paced; false when it stopped reading at {@code readLimit}. */
        private boolean content(InputStream in, int step, long readLimit) throws IOException, InterruptedException {
            byte[] buffer = new byte[step];
            int tail = 0; // the last octets read, to find CRLF.CRLF across reads
            while (true) {
                if (contentRead.get() >= readLimit) {
                    return false;
                }
                int n = in.read(buffer); // under TLS one record at most
                if (n < 0) {
                    return false;
                }
                turns.acquire((n + 1023) >> 10);
                contentRead.addAndGet(n);
                for (int i = 0; i < n; i++) {
                    tail = (tail << 8) | (buffer[i] & 0xff);
                    if (tail == 0x0a2e0d0a) { // LF . CR LF: every line before ends with CRLF
                        return true;
                    }
                }
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int b; (b = in.read()) >= 0; ) {
                if (b == '\n') {
                    return line.toString().strip();
                }
                line.append((char) b);
            }
            return null;
        }

        private static void reply(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
        }

        @Override
        public void close() {
            released.countDown();
            try {
                server.close();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
