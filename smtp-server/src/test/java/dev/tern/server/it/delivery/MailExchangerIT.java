package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Which mail exchanger gets the message: RFC 5321 5.1 ordering, spreading, failover, implicit MX. */
class MailExchangerIT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void deliversToTheMostPreferredExchanger() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer first = tern.peer();
            ScriptedSmtpPeer second = tern.peer();
            tern.host("mx1.remote.test", "127.0.0.2", first);
            LoopbackForwarder toSecond = tern.host("mx2.remote.test", "127.0.0.3", second);
            // Listed backwards: the order of the answer must not matter, only the preference.
            tern.dns().mx("remote.test", 20, "mx2.remote.test").mx("remote.test", 10, "mx1.remote.test");

            tern.submit("bob@remote.test", "preference");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(first.messages()).hasSize(1));
            ScriptedSmtpPeer.Received received = first.messages().get(0);
            assertThat(received.mailFrom()).isEqualTo("FROM:<" + DeliveryFixture.SENDER + ">");
            assertThat(received.rcptTo()).containsExactly("TO:<bob@remote.test>");
            // RFC 5321 4.5.2: the line that began with a dot arrives with exactly one.
            assertThat(new String(received.content(), java.nio.charset.StandardCharsets.US_ASCII))
                    .contains("Subject: preference\r\n")
                    .contains("\r\n.a line that needs its dot stuffed\r\n");
            assertThat(toSecond.connections()).isZero();
        }
    }

    @Test
    void spreadsMessagesAcrossEqualPreferences() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer one = tern.peer();
            ScriptedSmtpPeer two = tern.peer();
            tern.host("a.spread.test", "127.0.0.2", one);
            tern.host("b.spread.test", "127.0.0.3", two);
            tern.dns().mx("spread.test", 10, "a.spread.test").mx("spread.test", 10, "b.spread.test");

            IntStream.range(0, 20).forEach(i -> tern.submit("user" + i + "@spread.test", "spread " + i));

            await().atMost(WAIT).untilAsserted(() -> assertThat(
                            one.messages().size() + two.messages().size())
                    .isEqualTo(20));
            assertThat(one.messages()).as("messages at a.spread.test").isNotEmpty();
            assertThat(two.messages()).as("messages at b.spread.test").isNotEmpty();
        }
    }

    static List<Arguments> brokenFirstExchangers() {
        Consumer<ScriptedSmtpPeer> nothing = null;
        return List.of(
                // nothing listens at the first exchanger's address: connection refused
                Arguments.of("refused", nothing),
                // RFC 5321 3.1: a 4xx greeting, try elsewhere
                Arguments.of("4xx greeting", (Consumer<ScriptedSmtpPeer>) p -> p.greeting("421 4.3.2 not now")),
                // a 5xx greeting ("no SMTP service here") is about this host, not the recipient
                Arguments.of("5xx greeting", (Consumer<ScriptedSmtpPeer>) p -> p.greeting("554 5.3.2 no service")),
                // RFC 5321 3.8: 421 to EHLO, the server is closing the channel
                Arguments.of("421 after EHLO", (Consumer<ScriptedSmtpPeer>)
                        p -> p.reply("EHLO", "421 4.7.0 too busy").reply("HELO", "421 4.7.0 too busy")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenFirstExchangers")
    void failsOverToTheNextExchangerInTheSameAttempt(String caseName, Consumer<ScriptedSmtpPeer> breakIt)
            throws Exception {
        // A retry would wait a minute: delivery within the wait proves the failover was immediate.
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, Map.of("first-retry", "1m", "max-retry", "1m"))) {
            ScriptedSmtpPeer backup = tern.peer();
            LoopbackForwarder toFirst;
            if (breakIt == null) {
                tern.dns().a("mx1.failover.test", "127.0.0.4");
                toFirst = null;
            } else {
                ScriptedSmtpPeer broken = tern.peer();
                breakIt.accept(broken);
                toFirst = tern.host("mx1.failover.test", "127.0.0.2", broken);
            }
            tern.host("mx2.failover.test", "127.0.0.3", backup);
            tern.dns().mx("failover.test", 10, "mx1.failover.test").mx("failover.test", 20, "mx2.failover.test");

            tern.submit("bob@failover.test", "failover");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(backup.messages()).hasSize(1));
            if (toFirst != null) {
                assertThat(toFirst.connections())
                        .as("the first exchanger was tried")
                        .isPositive();
            }
            assertThat(backup.messages().get(0).rcptTo()).containsExactly("TO:<bob@failover.test>");
        }
    }

    @Test
    void deliversToTheDomainsOwnAddressWhenItHasNoMx() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer();
            // RFC 5321 5.1: no MX records, so the domain itself is the implicit mail exchanger.
            LoopbackForwarder forwarder = tern.host("implicit.test", "127.0.0.2", peer);

            tern.submit("bob@implicit.test", "implicit");

            await().atMost(WAIT).untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
            assertThat(forwarder.connections()).isEqualTo(1);
            assertThat(tern.dns().queryCount("implicit.test", "MX")).isPositive();
        }
    }
}
