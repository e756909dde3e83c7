package dev.tern.relay.client;

import static dev.tern.relay.client.SmtpClientTransactionTest.statuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.client.ClientRoute.TlsMode;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.testing.LogLines;
import dev.tern.relay.testing.PeerSession;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.tls.TrustAnchors;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Sessions against a scripted peer: TLS, AUTH, connection reuse and timeouts. */
class SmtpClientSessionTest {
    private static final String MESSAGE = "Subject: hi\r\n\r\nHello.\r\n";

    private final ClientFixture fixture = new ClientFixture();
    private final ScriptedSmtpPeer peer = ScriptedSmtpPeer.start();

    @AfterEach
    void close() throws Exception {
        peer.close();
        fixture.close();
    }

    @Test
    void opportunisticStartTlsAcceptsASelfSignedCertificate() throws Exception {
        peer.extensions("PIPELINING", "STARTTLS");

        AttemptResult result = deliver(ClientFixture.options(), ClientRoute.mx());

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        PeerSession session = peer.sessions().get(0);
        assertThat(session.tls()).isTrue();
        // RFC 3207 4.2: EHLO again after the handshake.
        assertThat(session.commands()).startsWith("EHLO client.test", "STARTTLS", "EHLO client.test");
        assertThat(fixture.reported).containsExactly("tls");
    }

    @Test
    void aHostThatAnswersEhloWithOurNameIsALoopWhenLoopsAreDetected() throws Exception {
        peer.reply("EHLO", "250-Client.Test. greets you\r\n250 8BITMIME");

        AttemptResult result = deliver(ClientFixture.options().detectingLoops(true), ClientRoute.mx());

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.PERMANENT);
            assertThat(f.enhancedStatus()).hasToString("5.4.6");
            assertThat(f.diagnostic()).contains("loops back to myself");
        });
        assertThat(peer.sessions().get(0).commands()).noneMatch(c -> c.startsWith("MAIL"));
        // tern send talks to its own server: there the name decides nothing.
        assertThat(statuses(deliver(ClientFixture.options(), ClientRoute.mx())))
                .containsExactly(DeliveryStatus.DELIVERED);
        // HELO's reply names the host too; another name in the same words is no loop.
        peer.reply("EHLO", "500 5.5.1 what").reply("HELO", "250 client.test");
        assertThat(deliver(ClientFixture.options().detectingLoops(true), ClientRoute.mx()))
                .isInstanceOfSatisfying(
                        HostFailed.class, f -> assertThat(f.enhancedStatus()).hasToString("5.4.6"));
        peer.reply("HELO", "250 client.test.example greets client.test");
        assertThat(statuses(deliver(ClientFixture.options().detectingLoops(true), ClientRoute.mx())))
                .containsExactly(DeliveryStatus.DELIVERED);
    }

    /**
     * Where TLS is required, a plaintext EHLO reply naming us is not judged: a man in the middle who strips STARTTLS
     * and writes our name gets the mail deferred (4.7.5), as without the name, never returned for good.
     */
    @Test
    void aPlaintextEhloNamingUsIsNotJudgedWhereTlsIsRequired() throws Exception {
        peer.reply("EHLO", "250-client.test\r\n250 8BITMIME");

        AttemptResult result = deliver(
                ClientFixture.options().detectingLoops(true), new ClientRoute(TlsMode.STARTTLS, false, null, null));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
            assertThat(f.enhancedStatus()).hasToString("4.7.5");
        });
    }

    @Test
    void discardsPlaintextRepliesSentBehindTheStartTls220() throws Exception {
        // Were the injected replies read as protected, the real EHLO reply would arrive unexpected.
        peer.extensions("STARTTLS").injectAfterStartTls("250-injected\r\n250 AUTH PLAIN");

        AttemptResult result = deliver(ClientFixture.options(), ClientRoute.mx());

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).tls()).isTrue();
    }

    @Test
    void requiredStartTlsThatIsNotOfferedFailsTheHost() throws Exception {
        AttemptResult result = deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, false, null, null));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
            assertThat(f.enhancedStatus()).hasToString("4.7.5");
        });
        assertThat(peer.sessions().get(0).commands()).noneMatch(c -> c.startsWith("MAIL"));
        assertThat(fixture.reported).as("no TLS was tried, so none failed").isEmpty();
    }

    @Test
    void opportunisticRetriesInPlaintextWhenTheHandshakeFails() throws Exception {
        // The peer says 220 but never speaks TLS: the handshake times out.
        peer.extensions("STARTTLS").reply("STARTTLS", "220 2.0.0 go ahead");
        SmtpClientOptions options = ClientFixture.options().withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5));

        AttemptResult result = deliver(options, ClientRoute.mx());

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions()).hasSize(2);
        assertThat(peer.sessions().get(1).commands()).doesNotContain("STARTTLS");
        assertThat(fixture.reported).containsExactly("tls failed", "plaintext");
    }

    @Test
    void requiredStartTlsWhoseHandshakeFailsFailsTheHost() throws Exception {
        peer.extensions("STARTTLS").reply("STARTTLS", "220 2.0.0 go ahead");
        SmtpClientOptions options = ClientFixture.options().withTimeouts(Duration.ofMillis(500), Duration.ofSeconds(5));

        AttemptResult result = deliver(options, new ClientRoute(TlsMode.STARTTLS, false, null, null));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.enhancedStatus())
                .hasToString("4.7.5"));
        assertThat(peer.sessions()).hasSize(1);
        assertThat(fixture.reported).containsExactly("tls failed");
    }

    @Test
    void aPeerThatClosesInsteadOfAHandshakeIsSaidInWords() throws Exception {
        peer.extensions("STARTTLS").reply("STARTTLS", "220 2.0.0 go ahead\n" + ScriptedSmtpPeer.DROP);

        AttemptResult result = deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, false, null, null));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.diagnostic())
                .startsWith("TLS handshake failed: ")
                .doesNotContain("null"));
    }

    @Test
    void verifiedTlsRejectsACertificateItDoesNotTrust() throws Exception {
        peer.extensions("STARTTLS");

        AttemptResult result = deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, true, null, null));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.enhancedStatus())
                .hasToString("4.7.5"));
        assertThat(peer.messages()).isEmpty();
        assertThat(fixture.reported).containsExactly("tls failed");
    }

    @Test
    void verifiedTlsAcceptsATrustedCertificateForTheHostName() throws Exception {
        peer.extensions("STARTTLS");
        SmtpClientOptions options = ClientFixture.options()
                .withTls(
                        SmtpClientOptions.opportunisticContext(),
                        SslContextBuilder.forClient()
                                .trustManager(peer.certificate())
                                .endpointIdentificationAlgorithm("HTTPS")
                                .build());

        AttemptResult result = deliver(options, new ClientRoute(TlsMode.STARTTLS, true, null, null));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
    }

    @Test
    void aPeerCheckSeesTheServersChainAfterTheHandshakeAndMarksTheSessionVerified() throws Exception {
        TestCa.Issued issued = new TestCa("Test CA").issue("peer.test");
        peer.extensions("STARTTLS").certificate(issued.key(), issued.chain());
        List<List<X509Certificate>> seen = new CopyOnWriteArrayList<>();
        ClientRoute checked = ClientRoute.checked(new Check(chain -> {
            seen.add(chain);
            return Optional.empty();
        }));

        try (LogLines log = LogLines.of(SmtpClient.class)) {
            AttemptResult result = deliver(ClientFixture.options(), checked);

            assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
            assertThat(log.lines()).anyMatch(line -> line.contains(" tls=verified: delivered=1"));
        }
        assertThat(seen).singleElement().satisfies(chain -> assertThat(chain.get(0))
                .isEqualTo(issued.chain()[0]));
        assertThat(peer.sessions().get(0).commands()).startsWith("EHLO client.test", "STARTTLS", "EHLO client.test");
    }

    @Test
    void aPeerCheckThatRefusesEndsTheSessionBeforeAnyCommandUnderTls() throws Exception {
        peer.extensions("STARTTLS");
        ClientRoute checked = ClientRoute.checked(new Check(chain -> Optional.of("TLSA mismatch: test")));

        AttemptResult result = deliver(ClientFixture.options(), checked);

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.enhancedStatus()).hasToString("4.7.5");
            assertThat(f.tlsRequirementFailed()).isTrue();
            assertThat(f.diagnostic()).isEqualTo("TLSA mismatch: test");
        });
        // Nothing after STARTTLS: the second EHLO would already go to an unauthenticated server.
        assertThat(peer.sessions()).singleElement().satisfies(s -> assertThat(s.commands())
                .containsExactly("EHLO client.test", "STARTTLS"));
        assertThat(peer.messages()).isEmpty();
    }

    @Test
    void opportunisticTlsIsNotVerified() throws Exception {
        peer.extensions("STARTTLS");

        try (LogLines log = LogLines.of(SmtpClient.class)) {
            deliver(ClientFixture.options(), ClientRoute.mx());

            assertThat(log.lines()).anyMatch(line -> line.contains(" tls=yes: delivered=1"));
        }
    }

    /** A {@link PeerCheck} that asks a function. */
    private record Check(Function<List<X509Certificate>, Optional<String>> answer) implements PeerCheck {
        @Override
        public Optional<String> mismatch(List<X509Certificate> chain) {
            return answer.apply(chain);
        }

        @Override
        public String describe() {
            return "test check";
        }
    }

    @Test
    void implicitTlsSpeaksTlsFromTheFirstByte() throws Exception {
        peer.implicitTls();

        AttemptResult result = deliver(ClientFixture.options(), new ClientRoute(TlsMode.IMPLICIT, false, null, null));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).tls()).isTrue();
    }

    @ParameterizedTest
    @CsvSource({
        "AUTH PLAIN LOGIN, PLAIN", // PLAIN preferred when both are offered
        "AUTH LOGIN, LOGIN", // LOGIN when it is the only one
        "AUTH=LOGIN, LOGIN", // the pre-standard announcement
    })
    void authenticatesToASmarthost(String announced, String mechanism) throws Exception {
        peer.extensions("STARTTLS", announced).credentials("relay", "sécret");

        AttemptResult result =
                deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, false, "relay", "sécret"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).authenticatedUser()).isEqualTo("relay (" + mechanism + ")");
    }

    @Test
    void usesTheMechanismTheRouteAsksFor() throws Exception {
        peer.extensions("STARTTLS", "AUTH PLAIN LOGIN").credentials("relay", "sécret");

        AttemptResult result =
                deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, false, "relay", "sécret", "LOGIN"));

        assertThat(statuses(result)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions().get(0).authenticatedUser()).isEqualTo("relay (LOGIN)");
    }

    @Test
    void failsTheHostWhenTheAskedMechanismIsNotOffered() throws Exception {
        peer.extensions("STARTTLS", "AUTH PLAIN").credentials("relay", "sécret");

        AttemptResult result =
                deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, false, "relay", "sécret", "LOGIN"));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.diagnostic())
                .contains("does not offer AUTH LOGIN"));
    }

    @Test
    void wrongPasswordFailsTheHostTemporarily() throws Exception {
        peer.extensions("STARTTLS", "AUTH PLAIN").credentials("relay", "right");

        AttemptResult result =
                deliver(ClientFixture.options(), new ClientRoute(TlsMode.STARTTLS, false, "relay", "wrong"));

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
            assertThat(f.enhancedStatus()).hasToString("4.7.8");
        });
    }

    @Test
    void refusesToSendCredentialsWithoutTls() throws Exception {
        peer.extensions("AUTH PLAIN").credentials("relay", "pw");

        AttemptResult result =
                deliver(ClientFixture.options(), new ClientRoute(TlsMode.OPPORTUNISTIC, false, "relay", "pw"));

        assertThat(result).isInstanceOf(HostFailed.class);
        assertThat(peer.sessions().get(0).commands()).noneMatch(c -> c.startsWith("AUTH"));
    }

    @Test
    void reusesTheConnectionForTheNextMessageWithoutRsetAfterATakenMessage() throws Exception {
        SmtpClient client = fixture.client(ClientFixture.options());

        AttemptResult first = deliverWith(client, ClientRoute.mx());
        AttemptResult second = deliverWith(client, ClientRoute.mx());

        assertThat(statuses(first)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(statuses(second)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions()).hasSize(1);
        // RFC 5321 4.1.1.4: the 250 to the content ended the transaction, so MAIL follows at once.
        assertThat(peer.sessions().get(0).commands())
                .containsSubsequence("DATA", "MAIL FROM:<sender@origin.test>", "DATA")
                .doesNotContain("RSET");
        assertThat(peer.messages()).hasSize(2);
    }

    @Test
    void resetsTheReusedConnectionAfterATransactionThatTookNothing() throws Exception {
        peer.rcptReply("nobody@dest.test", "550 5.1.1 no such user");
        SmtpClient client = fixture.client(ClientFixture.options());

        AttemptResult refused =
                fixture.deliver(client, peer.address(), ClientRoute.mx(), fixture.request(MESSAGE, "nobody@dest.test"));
        AttemptResult second = deliverWith(client, ClientRoute.mx());

        assertThat(statuses(refused)).containsExactly(DeliveryStatus.PERMANENT);
        assertThat(statuses(second)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions()).hasSize(1);
        assertThat(peer.sessions().get(0).commands())
                .containsSubsequence("RCPT TO:<nobody@dest.test>", "RSET", "MAIL FROM:<sender@origin.test>")
                .containsOnlyOnce("RSET");
        assertThat(peer.messages()).hasSize(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"PIPELINING", "8BITMIME"}) // MAIL, RCPT and DATA in one write, or one by one
    void goesOnOverANewConnectionWhenTheReusedOneIsClosedAtItsNextMail(String extension) throws Exception {
        peer.extensions(extension).mailAfterFirstMessage("421 4.4.2 peer.test idle too long, closing");
        SmtpClient client = fixture.client(ClientFixture.options());

        AttemptResult first = deliverWith(client, ClientRoute.mx());
        AttemptResult second;
        try (LogLines log = LogLines.of(SmtpClient.class)) {
            second = deliverWith(client, ClientRoute.mx());
            // One attempt, one line: the dropped connection is not an attempt of its own.
            assertThat(log.lines()).singleElement().asString().contains("delivered");
        }

        assertThat(statuses(first)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(statuses(second)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions()).hasSize(2);
        assertThat(peer.sessions().get(0).commands()).last().asString().startsWith("MAIL FROM:");
        assertThat(peer.messages()).hasSize(2);
    }

    @Test
    void goesOnOverANewConnectionWhenTheReusedOneIsDroppedAtItsNextMail() throws Exception {
        // The peer reads the MAIL of the pooled connection and closes it without a word.
        peer.mailAfterFirstMessage(ScriptedSmtpPeer.DROP);
        SmtpClient client = fixture.client(ClientFixture.options());

        AttemptResult first = deliverWith(client, ClientRoute.mx());
        AttemptResult second = deliverWith(client, ClientRoute.mx());

        assertThat(statuses(first)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(statuses(second)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions()).hasSize(2);
        assertThat(peer.messages()).hasSize(2);
    }

    @Test
    void aVerifiedConnectionIsNotReusedForAnotherHostName() throws Exception {
        TestCa ca = new TestCa("Test CA");
        TestCa.Issued issued = ca.issue("mx1.dest.test");
        peer.extensions("STARTTLS").certificate(issued.key(), issued.chain());
        Path pem = ca.writePem(Files.createTempDirectory("tern-ca").resolve("ca.pem"));
        SmtpClient client = fixture.client(ClientFixture.options()
                .withTls(
                        SmtpClientOptions.opportunisticContext(),
                        TrustAnchors.load(pem).smtpContext()));
        ClientRoute verified = new ClientRoute(TlsMode.STARTTLS, true, null, null);

        AttemptResult first = client.deliver(
                        peer.address(), "mx1.dest.test", verified, fixture.request(MESSAGE, "a@dest.test"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
        // The same address under a name the certificate does not show: a new session, whose check fails.
        AttemptResult second = client.deliver(
                        peer.address(), "mx2.dest.test", verified, fixture.request(MESSAGE, "a@dest.test"))
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);

        assertThat(statuses(first)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(second).isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.diagnostic())
                .contains("not mx2.dest.test"));
        assertThat(peer.sessions()).hasSize(2);
        assertThat(peer.messages()).hasSize(1);
    }

    @Test
    void concurrentDeliveriesShareThePoolWithoutLosingAnyConnection() throws Exception {
        SmtpClient client = fixture.client(ClientFixture.options());

        List<AttemptResult> firstWave = wave(client, 20);
        List<AttemptResult> secondWave = wave(client, 20);

        assertThat(firstWave).allSatisfy(r -> assertThat(statuses(r)).containsExactly(DeliveryStatus.DELIVERED));
        assertThat(secondWave).allSatisfy(r -> assertThat(statuses(r)).containsExactly(DeliveryStatus.DELIVERED));
        assertThat(peer.messages()).hasSize(40);
        // Each connection of the first wave was parked before its answer, so the second reuses them all.
        assertThat(peer.sessions()).hasSize(20);
    }

    private List<AttemptResult> wave(SmtpClient client, int size) throws Exception {
        List<CompletableFuture<AttemptResult>> pending = new ArrayList<>();
        for (int i = 0; i < size; i++) {
            pending.add(client.deliver(
                            peer.address(), "peer.test", ClientRoute.mx(), fixture.request(MESSAGE, "a@dest.test"))
                    .toCompletableFuture());
        }
        List<AttemptResult> results = new ArrayList<>();
        for (var f : pending) {
            results.add(f.get(20, TimeUnit.SECONDS));
        }
        return results;
    }

    @Test
    void opensANewConnectionWhenThePooledOneWasClosedByTheServer() throws Exception {
        SmtpClient client = fixture.client(ClientFixture.options());
        deliverWith(client, ClientRoute.mx());
        peer.sessions().get(0).kill();
        await().until(() -> peer.sessions().get(0).closed());

        AttemptResult second = deliverWith(client, ClientRoute.mx());

        assertThat(statuses(second)).containsExactly(DeliveryStatus.DELIVERED);
        assertThat(peer.sessions()).hasSize(2);
    }

    @Test
    void closesAfterTheMaximumMessagesPerConnection() throws Exception {
        SmtpClient client = fixture.client(ClientFixture.options().withIdleTimeout(Duration.ofSeconds(30), 1));

        deliverWith(client, ClientRoute.mx());
        deliverWith(client, ClientRoute.mx());

        assertThat(peer.sessions()).hasSize(2);
        await().untilAsserted(
                        () -> assertThat(peer.sessions().get(0).commands()).endsWith("QUIT"));
    }

    @Test
    void closesIdleConnectionsWithQuit() throws Exception {
        SmtpClient client = fixture.client(ClientFixture.options().withIdleTimeout(Duration.ofMillis(200), 100));

        deliverWith(client, ClientRoute.mx());

        await().atMost(Duration.ofSeconds(5)).until(() -> peer.sessions().get(0).closed());
        assertThat(peer.sessions().get(0).commands()).last().isEqualTo("QUIT");
    }

    @ParameterizedTest
    @ValueSource(strings = {"PIPELINING", "CHUNKING"}) // the end of DATA, or BDAT LAST (RFC 3030 2)
    void timesOutWaitingAfterTheFinalDot(String extension) throws Exception {
        peer.extensions(extension).reply(".", ScriptedSmtpPeer.HANG);
        SmtpClientOptions options = ClientFixture.options().withTimeouts(Duration.ofSeconds(5), Duration.ofMillis(300));

        AttemptResult result;
        try (LogLines log = LogLines.of(SmtpClient.class)) {
            result = deliver(options, ClientRoute.mx());
            assertThat(log.lines()).singleElement().asString().contains("may be delivered twice");
        }

        // The content went out, so the recipients wait for a retry rather than the next host.
        assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                .singleElement()
                .satisfies(o -> {
                    assertThat(o.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                    assertThat(o.enhancedStatus()).hasToString("4.4.2");
                    assertThat(o.diagnostic()).contains("within 300ms").contains("may be delivered twice");
                }));
    }

    @Test
    void timesOutWaitingForTheGreeting() throws Exception {
        peer.greeting("220 slow").reply("EHLO", ScriptedSmtpPeer.HANG);
        SmtpClientOptions options = ClientFixture.options().withTimeouts(Duration.ofMillis(300), Duration.ofSeconds(5));

        AttemptResult result = deliver(options, ClientRoute.mx());

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.enhancedStatus())
                .hasToString("4.4.2"));
    }

    @Test
    void aConnectionClosedAsTheEventLoopsStopIsNotBlamedOnTheServer() throws Exception {
        peer.greeting("220 slow").reply("EHLO", ScriptedSmtpPeer.HANG);
        SmtpClient client = fixture.client(ClientFixture.options());
        CompletableFuture<AttemptResult> result = client.deliver(
                        peer.address(), "peer.test", ClientRoute.mx(), fixture.request(MESSAGE, "a@dest.test"))
                .toCompletableFuture();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> !peer.sessions().isEmpty()
                        && !peer.sessions().get(0).commands().isEmpty());

        fixture.group.shutdownGracefully(0, 2, TimeUnit.SECONDS);

        assertThat(result.get(10, TimeUnit.SECONDS))
                .isInstanceOfSatisfying(HostFailed.class, f -> assertThat(f.diagnostic())
                        .contains("closed as Tern shuts down")
                        .doesNotContain("by the server"));
    }

    @Test
    void reportsTheConnectLatency() throws Exception {
        List<InetAddress> measured = new CopyOnWriteArrayList<>();
        SmtpClientOptions options = ClientFixture.options().withConnectLatency((address, latency) -> {
            if (!latency.isNegative()) {
                measured.add(address);
            }
        });

        deliver(options, ClientRoute.mx());

        assertThat(measured).containsExactly(peer.address().getAddress());
    }

    private AttemptResult deliver(SmtpClientOptions options, ClientRoute route) throws Exception {
        return deliverWith(fixture.client(options), route);
    }

    private AttemptResult deliverWith(SmtpClient client, ClientRoute route) throws Exception {
        DeliveryRequest request = fixture.request(MESSAGE, "a@dest.test");
        return fixture.deliver(client, peer.address(), route, request);
    }
}
