package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A message with lines longer than RFC 5321 allows (4.5.3.1.6: 1000 octets with CRLF), taken on the
 * submission side, leaves folded for a mail exchanger and whole for a local mailbox.
 */
class LongLinesIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String LONG_HEADER = "X-Long: " + "word ".repeat(1000) + "end";
    private static final String LONG_BODY_LINE = "<p>" + "x".repeat(5000) + "</p>";

    @TempDir
    Path dataDir;

    @ParameterizedTest
    @ValueSource(strings = {"PIPELINING", "CHUNKING"}) // sent with DATA, or with BDAT
    void relaysALongLineFoldedSoThatNoLineReachesThePeerLongerThan1000Octets(String extension) throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer().extensions(extension, "8BITMIME");
            tern.host("mx.remote.test", "127.0.0.2", peer);
            tern.dns().mx("remote.test", 10, "mx.remote.test");

            submit(tern, "bob@remote.test");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            String received = new String(peer.messages().get(0).content(), StandardCharsets.UTF_8);
            assertThat(received.split("\r\n", -1))
                    .allSatisfy(line -> assertThat(line.getBytes(StandardCharsets.UTF_8).length + 2)
                            .isLessThanOrEqualTo(1000));
            // The header field unfolds to itself (RFC 5322 2.2.3); the body line has CRLF SP inserted.
            assertThat(received.replaceAll("\r\n(?=[ \t])", "")).contains("\r\n" + LONG_HEADER + "\r\n");
            assertThat(received.replace("\r\n ", "")).contains("\r\n" + LONG_BODY_LINE + "\r\n");
        }
    }

    @Test
    void deliversALongLineWholeToALocalMailbox() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            submit(tern, "carol@" + DeliveryFixture.LOCAL);

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox("carol@" + DeliveryFixture.LOCAL))
                    .hasSize(1));
            String stored = tern.mailbox("carol@" + DeliveryFixture.LOCAL).get(0);
            assertThat(stored).contains("\n" + LONG_HEADER + "\n").contains("\n" + LONG_BODY_LINE + "\n");
        }
    }

    /** As a mail program would: authenticated, on the smtps listener, where long lines are taken. */
    private static void submit(DeliveryFixture tern, String to) {
        tern.submitAsUser(
                to,
                "From: <" + DeliveryFixture.SENDER + ">\r\nTo: <" + to + ">\r\nSubject: long lines\r\n" + LONG_HEADER
                        + "\r\n\r\nShort line.\r\n" + LONG_BODY_LINE + "\r\n");
    }
}
