package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * IPv6 on the loopback address {@code ::1}, both ways: a client that connects over IPv6 is named by an IPv6
 * address literal and trusted as loopback; a mail exchanger found by its AAAA record alone gets the message
 * over IPv6, and one whose IPv4 address refuses connections is reached at its IPv6 address in the same
 * attempt.
 */
class Ipv6IT {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dataDir;

    @Test
    void aClientOverIpv6IsNamedByAnIpv6LiteralAndMayRelayFromLoopback() throws Exception {
        try (DeliveryFixture tern =
                DeliveryFixture.start(dataDir, Map.of(), Map.of("TERN_LISTENERS_MX_ADDRESS", "::1"))) {
            InetSocketAddress mx = tern.server().address("mx");
            assertThat(mx.getAddress()).isInstanceOf(Inet6Address.class);

            Submitter.submit(mx, DeliveryFixture.SENDER, List.of("bob@" + DeliveryFixture.LOCAL), "over ipv6");

            await().atMost(WAIT).untilAsserted(() -> assertThat(tern.mailbox("bob@" + DeliveryFixture.LOCAL))
                    .hasSize(1));
            String delivered = tern.mailbox("bob@" + DeliveryFixture.LOCAL).get(0);
            // RFC 5321 4.1.3: an IPv6 address literal is tagged "IPv6:".
            assertThat(delivered).contains("Subject: over ipv6").contains("[IPv6:0:0:0:0:0:0:0:1])");
            // ::1 is loopback, trusted by default as 127.0.0.1 is: it may relay.
            assertThat(Submitter.rcptReply(mx, DeliveryFixture.SENDER, "someone@elsewhere.test"))
                    .startsWith("250");
        }
    }

    @Test
    void anExchangerWithOnlyAnAaaaRecordGetsTheMessageOverIpv6() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir)) {
            ScriptedSmtpPeer peer = tern.peer();
            tern.dns().aaaa("mx.six.test", "::1").mx("six.test", 10, "mx.six.test");
            try (LoopbackForwarder six = LoopbackForwarder.start("::1", tern.mxPort(), peer.address())) {
                tern.submit("bob@six.test", "by aaaa");

                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
                assertThat(peer.messages().get(0).rcptTo()).containsExactly("TO:<bob@six.test>");
                assertThat(new String(peer.messages().get(0).content(), StandardCharsets.US_ASCII))
                        .contains("Subject: by aaaa\r\n");
                assertThat(six.connections()).as("connections to [::1]").isEqualTo(1);
            }
        }
    }

    @Test
    void anExchangerWhoseIpv4AddressRefusesIsReachedAtItsIpv6Address() throws Exception {
        // Retries ten minutes apart: delivered within the wait means delivered by the first attempt.
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer peer = tern.peer();
            // Nothing listens on 127.0.0.9: the IPv4 address, tried first, refuses the connection.
            tern.dns()
                    .a("mx.both.test", "127.0.0.9")
                    .aaaa("mx.both.test", "::1")
                    .mx("both.test", 10, "mx.both.test");
            try (LoopbackForwarder six = LoopbackForwarder.start("::1", tern.mxPort(), peer.address())) {
                tern.submit("carol@both.test", "v4 refused");

                await().atMost(WAIT)
                        .untilAsserted(() -> assertThat(peer.messages()).hasSize(1));
                assertThat(peer.messages().get(0).rcptTo()).containsExactly("TO:<carol@both.test>");
                assertThat(six.connections()).isEqualTo(1);
            }
        }
    }
}
