package dev.tern.server.it.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.smtp.queue.QueueId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Mail never loops back into Tern (RFC 5321 5.1): a mail exchanger at an address Tern listens on (the
 * port does not matter), at a {@code delivery.self-addresses} entry, or named by Tern's hostname is Tern
 * itself; it and every exchanger not more preferred are dropped, and when nothing is left the recipient
 * fails at the first attempt with 5.4.6 and a DSN, nobody is dialled and nothing is retried.
 */
class MailLoopIT {
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final String SENDER = DeliveryFixture.SENDER;

    @TempDir
    Path dataDir;

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                              | delivery.self-addresses | MX records: preference host=address (@: the domain, no MX)
            our listener's address (127.0.0.1) by another name  | []                      | 10 alias=127.0.0.1
            a NAT address we were told is ours                   | [127.0.0.9]             | 10 nat=127.0.0.9
            a backup behind us is never contacted                | []                      | 10 alias=127.0.0.1, 20 mx2=127.0.0.5
            ... nor one tied with us                             | [127.0.0.9]             | 10 nat=127.0.0.9, 10 peer=127.0.0.6, 30 mx3=127.0.0.7
            our hostname                                         | []                      | 10 tern.test=127.0.0.8
            no MX, and the domain's own address is ours          | []                      | 0 @=127.0.0.1
            """)
    void failsAtTheFirstAttemptWithoutDiallingAnyone(String what, String selfAddresses, String records)
            throws Exception {
        // Any temporary outcome would keep the message queued for a minute, with no DSN.
        Map<String, String> delivery =
                Map.of("self-addresses", selfAddresses, "first-retry", "1m", "max-retry", "1m", "queue-lifetime", "1h");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, delivery)) {
            List<LoopbackForwarder> exchangers = new ArrayList<>();
            for (String record : records.split(",")) {
                String[] parts = record.strip().split("[ =]");
                String host = parts[1].equals("@")
                        ? "loop.test"
                        : parts[1].contains(".") ? parts[1] : parts[1] + ".loop.test";
                // Something answers at every address, ours included: only Tern's own judgement keeps it away.
                exchangers.add(tern.host(host, parts[2], tern.peer()));
                if (!parts[1].equals("@")) {
                    tern.dns().mx("loop.test", Integer.parseInt(parts[0]), host);
                }
            }

            QueueId id = tern.submit("bob@loop.test", "loop");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            String dsn = tern.mailbox(SENDER).get(0);
            assertThat(Dsns.isReport(dsn)).as(what).isTrue();
            assertThat(Dsns.statuses(dsn)).as(what).containsExactly("5.4.6");
            assertThat(Dsns.actions(dsn)).as(what).containsExactly("failed");
            assertThat(dsn).as(what).contains("mail for loop.test loops back to myself");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(exchangers).as(what).allSatisfy(x -> assertThat(x.connections())
                    .isZero());
            // Permanent at the first attempt: the domain was looked up once and never again.
            assertThat(tern.dns().queryCount("loop.test", "MX")).as(what).isEqualTo(1);
        }
    }

    /**
     * An exchanger at an address Tern does not know for its own (a NAT's, a forwarded port's) that answers EHLO
     * with Tern's hostname is Tern: the mail is returned with 5.4.6 at once, never sent into that session.
     */
    @Test
    void aHostAnsweringEhloWithOurNameIsALoop() throws Exception {
        Map<String, String> delivery = Map.of("first-retry", "1m", "max-retry", "1m", "queue-lifetime", "1h");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, delivery)) {
            ScriptedSmtpPeer us =
                    tern.peer().reply("EHLO", "250-" + DeliveryFixture.HOSTNAME + " hello\r\n250 8BITMIME");
            tern.exchanger("loop.test", "127.0.0.12", us);

            QueueId id = tern.submit("bob@loop.test", "loop");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            String dsn = tern.mailbox(SENDER).get(0);
            assertThat(Dsns.statuses(dsn)).containsExactly("5.4.6");
            assertThat(Dsns.actions(dsn)).containsExactly("failed");
            assertThat(dsn).contains("loops back to myself");
            await().atMost(WAIT).until(() -> !tern.queued(id));
            assertThat(us.sessions()).isNotEmpty();
            assertThat(us.attempts()).isEmpty();
        }
    }

    /**
     * A more preferred exchanger that fails for now, at its greeting or by refusing the recipient for now (a
     * greylisting primary), keeps the mail queued for it: a loop behind it is no bounce.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {"greeting | 421 4.3.2 busy", "RCPT | 451 4.7.1 greylisted, try later"})
    void aLoopBehindAHostThatFailsForNowDefers(String step, String refusal) throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            ScriptedSmtpPeer busy = step.equals("greeting")
                    ? tern.peer().greeting(refusal)
                    : tern.peer().reply(step, refusal);
            tern.host("busy.loop.test", "127.0.0.13", busy);
            tern.dns().mx("loop.test", 10, "busy.loop.test");

            waitsBehind(tern, DeliveryFixture.HOSTNAME.toUpperCase(Locale.ROOT) + ".");
        }
    }

    /** A less preferred exchanger not known for now does not keep mail from a loop at the most preferred one. */
    @Test
    void aLoopAheadOfAHostNotKnownForNowIsReturned() throws Exception {
        Map<String, String> delivery = Map.of("first-retry", "1m", "max-retry", "1m", "queue-lifetime", "1h");
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, delivery)) {
            ScriptedSmtpPeer us = tern.peer().reply("EHLO", "250 " + DeliveryFixture.HOSTNAME);
            tern.host("us.loop.test", "127.0.0.14", us);
            tern.dns()
                    .mx("loop.test", 10, "us.loop.test")
                    .mx("loop.test", 20, "p2.loop.test")
                    .servfail("p2.loop.test");

            tern.submit("bob@loop.test", "loop");

            await().atMost(WAIT)
                    .untilAsserted(() -> assertThat(tern.mailbox(SENDER)).hasSize(1));
            assertThat(Dsns.statuses(tern.mailbox(SENDER).get(0))).containsExactly("5.4.6");
        }
    }

    /** A more preferred exchanger whose address cannot be looked up for now (SERVFAIL) is waited for too. */
    @Test
    void aLoopBehindAHostWhoseAddressIsNotKnownForNowDefers() throws Exception {
        try (DeliveryFixture tern = DeliveryFixture.start(dataDir, DeliveryFixture.SLOW_RETRIES)) {
            tern.dns().mx("loop.test", 10, "p1.loop.test").servfail("p1.loop.test");

            waitsBehind(tern, DeliveryFixture.HOSTNAME);
        }
    }

    /**
     * With the more preferred exchanger of loop.test set up to fail for now, a backup at preference 20 that answers
     * EHLO with {@code name} (ours) is reached and given nothing, and the message waits, with no DSN.
     */
    private static void waitsBehind(DeliveryFixture tern, String name) throws Exception {
        ScriptedSmtpPeer us = tern.peer().reply("EHLO", "250 " + name);
        tern.host("us.loop.test", "127.0.0.14", us);
        tern.dns().mx("loop.test", 20, "us.loop.test");

        QueueId id = tern.submit("bob@loop.test", "loop");

        await().atMost(WAIT).until(() -> !us.sessions().isEmpty());
        tern.expectNoMail(SENDER);
        assertThat(tern.queued(id)).isTrue();
        assertThat(us.attempts()).isEmpty();
        // What the queue says of it names a reply, or the loop and the wait, never "no host to try".
        await().atMost(WAIT).until(() -> !tern.lastDiagnostic(id).isEmpty());
        assertThat(tern.lastDiagnostic(id)).doesNotContain("no host to try");
    }
}
