package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.delivery.DeliveryStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * RFC 5321 4.5.3.2.5: the data block timeout is for each send, not for the whole message. A peer on a slow
 * link that keeps taking the content gets all of it, however long that takes; one that stops taking it is
 * given up on one timeout after it stopped.
 */
class DataBlockTimeoutTest {
    private static final Duration BLOCK = Duration.ofMillis(300);
    /** Far more than the loopback socket buffers hold (4 MiB to send, a few KiB to receive). */
    private static final int SIZE = 12 << 20;

    private final ClientFixture fixture = new ClientFixture();
    private final ScheduledExecutorService pace = Executors.newSingleThreadScheduledExecutor();

    @AfterEach
    void close() throws Exception {
        pace.shutdownNow();
        fixture.close();
    }

    @Test
    void aPeerThatKeepsTakingTheContentGetsAllOfItPastTheTimeout() throws Exception {
        // 64 KiB every 10 ms: about two seconds for the message, each step far inside the 300 ms.
        try (PacedPeer peer = new PacedPeer(pace, 64 << 10, Long.MAX_VALUE)) {
            AttemptResult result = deliver(peer);

            assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                    .singleElement()
                    .satisfies(o -> assertThat(o.status()).as(o.toString()).isEqualTo(DeliveryStatus.DELIVERED)));
            assertThat(peer.contentRead.get()).isGreaterThan(SIZE - 1000);
            assertThat(peer.elapsedMillis()).as("longer than one timeout").isGreaterThan(3 * BLOCK.toMillis());
        }
    }

    @Test
    void aPeerThatStopsTakingTheContentIsGivenUpOn() throws Exception {
        try (PacedPeer peer = new PacedPeer(pace, 64 << 10, SIZE / 3)) {
            AttemptResult result = deliver(peer);

            assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                    .singleElement()
                    .satisfies(o -> {
                        assertThat(o.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                        assertThat(o.enhancedStatus()).hasToString("4.4.2");
                        assertThat(o.diagnostic()).contains("the server took nothing for 300ms");
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
     * A peer that answers at once but reads the message content {@code step} octets each time the pace
     * allows (every 10 ms), and none at all past {@code readLimit} octets of content.
     */
    private static final class PacedPeer implements AutoCloseable {
        final AtomicLong contentRead = new AtomicLong();
        private final ServerSocket server;
        private final Semaphore turns = new Semaphore(0);
        private final CountDownLatch released = new CountDownLatch(1);
        private final CompletableFuture<Void> done = new CompletableFuture<>();
        private final long started = System.nanoTime();
        private volatile long finished;

        PacedPeer(ScheduledExecutorService pace, int step, long readLimit) throws IOException {
            server = new ServerSocket();
            // Inherited by the accepted socket, and fixed: the kernel does not grow it, so TCP pushes back early.
            server.setReceiveBufferSize(256 << 10);
            server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            pace.scheduleAtFixedRate(turns::release, 10, 10, TimeUnit.MILLISECONDS);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    converse(s.getInputStream(), s.getOutputStream(), step, readLimit);
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

        private void converse(InputStream in, OutputStream out, int step, long readLimit)
                throws IOException, InterruptedException {
            reply(out, "220 paced.test");
            for (String line; (line = line(in)) != null; ) {
                String verb = line.length() < 4 ? line : line.substring(0, 4);
                switch (verb) {
                    case "EHLO" -> reply(out, "250 paced.test");
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

        /** Reads up to the final dot, paced; false when it stopped reading at {@code readLimit}. */
        private boolean content(InputStream in, int step, long readLimit) throws IOException, InterruptedException {
            byte[] buffer = new byte[step];
            int tail = 0; // the last octets read, to find CRLF.CRLF across reads
            while (true) {
                if (contentRead.get() >= readLimit) {
                    return false;
                }
                turns.acquire();
                int n = in.read(buffer);
                if (n < 0) {
                    return false;
                }
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
