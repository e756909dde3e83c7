package dev.tern.relay.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.client.AttemptResult.Completed;
import dev.tern.relay.client.AttemptResult.HostFailed;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Client and server stay in step (RFC 5321 4.2, RFC 2920 3.1): a scripted peer sends one reply line
 * more than it was asked for, and the client drops the connection instead of taking the extra line
 * for the reply to its next command. After the content, a positive reply still delivers: the server
 * took the message.
 */
class SmtpClientInStepTest {
    private static final String MESSAGE = "Subject: hi\r\n\r\nHello.\r\n";

    private final ClientFixture fixture = new ClientFixture();
    private final ScriptedSmtpPeer peer = ScriptedSmtpPeer.start();
    private final SmtpClient client = fixture.client(ClientFixture.options());

    @AfterEach
    void close() throws Exception {
        peer.close();
        fixture.close();
    }

    @ParameterizedTest(name = "pipelining={0} {1}: {2}")
    @CsvSource(
            delimiter = '|',
            value = {
                // pipelining | step     | reply (" / " separates lines the peer sends at once)       | never sent
                "false        | greeting | 220 peer.test ready / 220 peer.test ready again               | MAIL",
                "false        | EHLO     | 250 peer.test / 250 peer.test again                           | RCPT",
                "false        | MAIL     | 250 2.1.0 Ok / 250 2.1.0 Ok again                             | DATA",
                "false        | RCPT     | 250 2.1.5 Ok / 250 2.1.5 Ok again                             | DATA",
                "false        | RCPT     | 250 2.1.5 Ok / 354 unsolicited                                | DATA",
                "true         | MAIL     | 250 2.1.0 Ok / 250 2.1.0 Ok again                             | QUIT",
                "true         | RCPT     | 250 2.1.5 Ok / 250 2.1.5 Ok again                             | QUIT",
                // DATA then gets the 550 meant for the second RCPT: never a bounce for an accepted recipient
                "true         | RCPT     | 550 5.1.1 no such user / 550 5.1.1 no such user               | QUIT",
            })
    void anExtraReplyBeforeTheContentFailsTheHostAndSendsNothing(
            boolean pipelining, String step, String reply, String neverSent) throws Exception {
        script(pipelining, step, reply.replace(" / ", "\r\n"));

        AttemptResult result = deliver("a@dest.test", "b@dest.test");

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
            assertThat(f.enhancedStatus()).hasToString("4.5.0");
        });
        assertThat(peer.messages()).isEmpty();
        await().until(() -> peer.sessions().get(0).closed());
        // The extra line is never taken for the reply to the next command, so the conversation goes no further.
        assertThat(peer.sessions().get(0).commands()).noneMatch(c -> c.startsWith(neverSent));
    }

    @ParameterizedTest(name = "pipelining={0}")
    @CsvSource({"false", "true"})
    void anExtraReplyWithTheLastRefusalFailsTheHostInsteadOfBouncing(boolean pipelining) throws Exception {
        // Nothing follows the refusal of the only recipient, so only the end of the read shows the extra line.
        script(pipelining, "RCPT", "550 5.1.1 no such user / 550 5.1.1 no such user".replace(" / ", "\r\n"));

        AttemptResult result = deliver("a@dest.test");

        assertThat(result).isInstanceOfSatisfying(HostFailed.class, f -> {
            assertThat(f.status()).isEqualTo(DeliveryStatus.TEMPORARY);
            assertThat(f.enhancedStatus()).hasToString("4.5.0");
        });
    }

    @ParameterizedTest(name = "pipelining={0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "false | 250 2.0.0 Ok: queued as A / 250 2.0.0 Ok: queued as A",
                "true  | 250 2.0.0 Ok: queued as A / 250 2.0.0 Ok: queued as A",
                // RFC 5321 3.8: a server may say it is closing at any time; the message is still taken
                "false | 250 2.0.0 Ok: queued as A / 421 4.4.2 peer.test closing connection",
                "true  | 250 2.0.0 Ok: queued as A / 421 4.4.2 peer.test closing connection",
            })
    void anExtraReplyAfterThePositiveReplyToTheContentDeliversAndDropsTheConnection(boolean pipelining, String reply)
            throws Exception {
        script(pipelining, ".", reply.replace(" / ", "\r\n"));

        AttemptResult result = deliver("a@dest.test", "b@dest.test");

        // The server took the message with its reply to the dot: trying again would deliver it twice.
        assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                .hasSize(2)
                .allSatisfy(o -> {
                    assertThat(o.status()).isEqualTo(DeliveryStatus.DELIVERED);
                    assertThat(o.diagnostic()).contains("queued as A");
                }));
        assertThat(peer.messages()).hasSize(1);
        await().until(() -> peer.sessions().get(0).closed());
    }

    @ParameterizedTest(name = "pipelining={0}")
    @CsvSource({"false", "true"})
    void anExtraReplyAfterARefusalOfTheContentDefersTheRecipients(boolean pipelining) throws Exception {
        script(pipelining, ".", "554 5.7.1 refused\r\n250 2.0.0 Ok: queued as A");

        AttemptResult result = deliver("a@dest.test", "b@dest.test");

        // A refusal read out of step may be some other command's: never a bounce on it, try again later.
        assertThat(result).isInstanceOfSatisfying(Completed.class, c -> assertThat(c.outcomes())
                .hasSize(2)
                .allSatisfy(o -> {
                    assertThat(o.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                    assertThat(o.enhancedStatus()).hasToString("4.5.0");
                    assertThat(o.diagnostic()).contains("may be delivered twice");
                }));
        await().until(() -> peer.sessions().get(0).closed());
    }

    private void script(boolean pipelining, String step, String reply) {
        peer.extensions(pipelining ? "PIPELINING" : "8BITMIME");
        switch (step) {
            case "greeting" -> peer.greeting(reply);
            case "RCPT" -> peer.rcptReply("a@dest.test", reply);
            default -> peer.reply(step, reply);
        }
    }

    private AttemptResult deliver(String... recipients) throws Exception {
        return fixture.deliver(client, peer.address(), ClientRoute.mx(), fixture.request(MESSAGE, recipients));
    }
}
