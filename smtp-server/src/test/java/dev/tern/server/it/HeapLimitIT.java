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

    @Test
    void refusesNewMailForNowWhenTheHeapIsNearlyFullAndRunsOn() throws Exception {
        Path config = TernProcess.config(dir, "delivery: {enabled: false}\n");
        try (TernProcess tern = TernProcess.serve(TernProcess.HANGUP_DEFAULT, List.of("-Xmx64m"), config)) {
            InetSocketAddress mx =
                    new InetSocketAddress("127.0.0.1", TernProcess.port(tern.output(), "listening name=mx "));
            String refusal = null;
            int taken = 0;
            try (RawSmtpClient c = RawSmtpClient.connect(mx)) {
                assertThat(c.reply().code()).isEqualTo(220);
                c.ehlo("client.test");
                while (refusal == null && taken < MOST) {
                    String mail = c.command("MAIL FROM:<a@client.test>").last();
                    if (!mail.startsWith("250")) {
                        refusal = mail;
                        break;
                    }
                    StringBuilder recipients = new StringBuilder();
                    for (int r = 0; r < RECIPIENTS; r++) {
                        recipients
                                .append("RCPT TO:<user")
                                .append(taken)
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
                    assertThat(c.send("Subject: heap\r\n\r\nbody\r\n.\r\n")
                                    .reply()
                                    .last())
                            .startsWith("250 2.0.0");
                    taken++;
                }
            }

            assertThat(refusal).as("refused after %d messages", taken).startsWith("452 4.3.1");
            assertThat(tern.alive()).isTrue();
            try (RawSmtpClient c = RawSmtpClient.connect(mx)) {
                assertThat(c.reply().code()).as("a new session is greeted").isEqualTo(220);
                c.ehlo("client.test");
                assertThat(c.command("MAIL FROM:<a@client.test>").last()).startsWith("452 4.3.1");
            }
            HttpResponse<String> ready = HttpClient.newHttpClient()
                    .send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:"
                                            + TernProcess.port(tern.output(), "management listening ")
                                            + "/health/ready"))
                                    .build(),
                            HttpResponse.BodyHandlers.ofString());
            assertThat(ready.statusCode()).isEqualTo(503);
            assertThat(ready.body()).contains("memory");
            assertThat(tern.output())
                    .anyMatch(l -> l.contains("new mail is refused (452 4.3.1)"))
                    .noneMatch(l -> l.contains("OutOfMemoryError"));
        }
    }
}
