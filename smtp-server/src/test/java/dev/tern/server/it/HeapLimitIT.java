package dev.tern.server.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A queue that only grows (delivery off here, as with its destinations down for hours) fills the heap, where every
 * queued message lives: Tern refuses new mail for now before the heap runs out, and runs on. In a JVM of its own
 * with a small heap, sent messages of a hundred recipients each, pipelined.
 */
class HeapLimitIT {
    private static final int RECIPIENTS = 100;
    /** Far more than a 64 MiB heap holds at about 20 KiB of queue per message of 100 recipients. */
    private static final int MOST = 20_000;

    @TempDir
    Path dir;

    /**
     * Refusal comes and goes at first (a collection that finds old garbage gone takes mail again), but as the queue
     * grows only while mail is taken, the heap's live part climbs until it stays above the mark: from then on every
     * MAIL is refused and Tern reports itself not ready, for as long as nothing is delivered.
     */
    @Test
    void refusesNewMailForNowWhenTheHeapIsNearlyFullAndRunsOn() throws Exception {
        Path config = TernProcess.config(dir, "delivery: {enabled: false}\n");
        try (TernProcess tern = TernProcess.serve(TernProcess.HANGUP_DEFAULT, List.of("-Xmx64m"), config)) {
            InetSocketAddress mx =
                    new InetSocketAddress("127.0.0.1", TernProcess.port(tern.output(), "listening name=mx "));
            URI ready = URI.create(
                    "http://127.0.0.1:" + TernProcess.port(tern.output(), "management listening ") + "/health/ready");
            int taken = 0;
            int refused = 0;
            HttpResponse<String> notReady = null;
            for (int i = 0; i < MOST && notReady == null; i++) {
                // A session of its own for each message: a refusal counts as the session's error.
                try (RawSmtpClient c = RawSmtpClient.connect(mx)) {
                    assertThat(c.reply().code()).as("greeted").isEqualTo(220);
                    c.ehlo("client.test");
                    String mail = c.command("MAIL FROM:<a@client.test>").last();
                    if (mail.startsWith("250")) {
                        send(c, i);
                        taken++;
                        continue;
                    }
                    assertThat(mail).startsWith("452 4.3.1");
                    refused++;
                }
                HttpResponse<String> health = HttpClient.newHttpClient()
                        .send(HttpRequest.newBuilder(ready).build(), HttpResponse.BodyHandlers.ofString());
                if (health.statusCode() == 503) {
                    notReady = health;
                }
            }

            assertThat(notReady)
                    .as("not ready after %d messages taken, %d refused", taken, refused)
                    .isNotNull();
            assertThat(notReady.body()).contains("memory");
            assertThat(tern.alive()).isTrue();
            try (RawSmtpClient c = RawSmtpClient.connect(mx)) {
                assertThat(c.reply().code()).as("a new session is greeted").isEqualTo(220);
            }
            assertThat(tern.output())
                    .anyMatch(l -> l.contains("new mail is refused (452 4.3.1)"))
                    .noneMatch(l -> l.contains("OutOfMemoryError"));
        }
    }

    /** The rest of message {@code n}: a hundred recipients pipelined, then its content. */
    private static void send(RawSmtpClient c, int n) {
        StringBuilder recipients = new StringBuilder();
        for (int r = 0; r < RECIPIENTS; r++) {
            recipients
                    .append("RCPT TO:<user")
                    .append(n)
                    .append('-')
                    .append(r)
                    .append("@remote")
                    .append(r % 7)
                    .append(".test>\r\n");
        }
        c.send(recipients.toString());
        for (int r = 0; r < RECIPIENTS; r++) {
            assertThat(c.reply().code()).isEqualTo(250);
        }
        assertThat(c.command("DATA").code()).isEqualTo(354);
        assertThat(c.send("Subject: heap\r\n\r\nbody\r\n.\r\n").reply().last()).startsWith("250 2.0.0");
    }
}
