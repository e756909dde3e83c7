package dev.tern.relay.route;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.SmtpClient;
import dev.tern.relay.client.SmtpClientOptions;
import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.delivery.DeliveryStatus;
import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.dns.ConnectLatency;
import dev.tern.relay.dns.DnsMailExchangerResolver;
import dev.tern.relay.dns.HostSelector;
import dev.tern.relay.dns.MxResolverOptions;
import dev.tern.relay.local.MaildirDelivery;
import dev.tern.relay.testing.ScriptedSmtpPeer;
import dev.tern.relay.testing.TestDnsServer;
import dev.tern.relay.tls.OutboundTls;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * Routing outcomes when a name does not resolve, for smarthosts and mail exchangers alike: every recipient
 * gets the outcome, and one log line names the queue id, the DNS server asked, the name and the DNS result.
 */
class RouterTest {
    @TempDir
    Path maildirs;

    private final TestDnsServer dns = TestDnsServer.start();
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService files = Executors.newSingleThreadExecutor();
    private final ListAppender<ILoggingEvent> logs = new ListAppender<>();
    private final ByteBuf content = Unpooled.copiedBuffer("Subject: hi\r\n\r\nHello\r\n", StandardCharsets.US_ASCII);
    private SmtpClient client;
    private Router router;

    @BeforeEach
    void setUp() {
        logs.start();
        ((Logger) LoggerFactory.getLogger(Router.class)).addAppender(logs);
        client = new SmtpClient(group, NioSocketChannel.class, SmtpClientOptions.defaults("tern.test"));
        MxResolverOptions options =
                MxResolverOptions.defaults().withServers(List.of(dns.address())).withTimeout(Duration.ofMillis(300), 1);
        router = new Router(
                new Routing(
                        Set.of("local.test"),
                        Map.of("corp.test", new Smarthost("smtp.corp.test", 2525, ClientRoute.mx()))),
                new MaildirDelivery(
                        maildirs,
                        new LocalMailboxes(List.of("local.test"), List.of(), Map.of(), "", "", "tern.test"),
                        files,
                        "tern.test",
                        Clock.systemUTC()),
                new DnsMailExchangerResolver(options),
                new HostSelector(25, true, new ConnectLatency(), new SplittableRandom(1)),
                client);
    }

    @AfterEach
    void tearDown() throws Exception {
        ((Logger) LoggerFactory.getLogger(Router.class)).detachAppender(logs);
        client.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        files.shutdown();
        dns.close();
        content.release();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | recipient domain | name asked     | DNS does  | outcome   | status | result in the log
            a smarthost that does not exist          | corp.test        | smtp.corp.test | nxdomain  | PERMANENT | 5.4.4  | (NXDOMAIN)
            a smarthost whose server fails           | corp.test        | smtp.corp.test | servfail  | TEMPORARY | 4.4.3  | (SERVFAIL)
            a smarthost whose server never answers   | corp.test        | smtp.corp.test | drop      | TEMPORARY | 4.4.3  | timed out
            a recipient domain that does not exist   | gone.test        | gone.test      | nxdomain  | PERMANENT | 5.1.2  | (NXDOMAIN)
            a recipient domain whose server fails    | flaky.test       | flaky.test     | servfail  | TEMPORARY | 4.4.3  | (SERVFAIL)
            """)
    void aNameThatDoesNotResolveFailsEveryRecipientAndIsLogged(
            String what, String domain, String name, String mode, DeliveryStatus status, String enhanced, String result)
            throws Exception {
        switch (mode) {
            case "nxdomain" -> dns.nxdomain(name);
            case "servfail" -> dns.servfail(name);
            default -> dns.drop(name);
        }

        List<RecipientOutcome> outcomes =
                router.deliver(domain, request(domain)).toCompletableFuture().get(10, TimeUnit.SECONDS);

        assertThat(outcomes).as(what).hasSize(2).allSatisfy(o -> {
            assertThat(o.status()).isEqualTo(status);
            assertThat(o.enhancedStatus()).hasToString(enhanced);
            assertThat(o.diagnostic()).contains(name);
        });
        assertThat(logs.list).as(what).singleElement().satisfies(line -> assertThat(line.getFormattedMessage())
                .contains("id=Q1", "domain=" + domain, "dns servers=127.0.0.1:" + dns.port(), name, result));
    }

    @Test
    void whenEveryHostFailsTheOutcomeNamesTheLastHostAndItsReply() throws Exception {
        try (ScriptedSmtpPeer busy = ScriptedSmtpPeer.start().greeting("421 4.3.2 too busy, try later")) {
            dns.a("smtp.busy.test", "127.0.0.1");
            Router toBusy = toSmarthost("busy.test", "smtp.busy.test", busy.port(), target -> false);

            List<RecipientOutcome> outcomes = toBusy.deliver("busy.test", request("busy.test"))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            // RFC 3464 2.3.5, 2.3.6: a later report can say which server refused and what it said.
            assertThat(outcomes).hasSize(2).allSatisfy(o -> {
                assertThat(o.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                assertThat(o.remoteMta()).isEqualTo("smtp.busy.test");
                assertThat(o.remoteReply().code()).isEqualTo(421);
                assertThat(o.remoteReply().lines()).containsExactly("too busy, try later");
            });
        }
    }

    /**
     * A primary exchanger that refuses for now (a 4xx to RCPT, or to the end of the data) does not keep the mail from
     * the backup: those recipients go to the next host in the same attempt, as Postfix sends them; what the primary
     * took stays taken, and only what it refused is sent again.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                  | verb | address        | reply                              | at the backup
            a recipient refused for now             | RCPT | bob@multi.test | 451 4.2.1 mailbox busy, try later  | bob@multi.test
            the whole message refused for now       | .    | ''             | 452 4.3.1 insufficient storage     | bob@multi.test carol@multi.test
            """)
    void sendsWhatThePrimaryRefusedForNowToTheBackupInTheSameAttempt(
            String what, String verb, String address, String reply, String atTheBackup) throws Exception {
        try (ScriptedSmtpPeer primary = ScriptedSmtpPeer.startOn(InetAddress.getByName("127.0.0.1"), 0);
                ScriptedSmtpPeer backup =
                        ScriptedSmtpPeer.startOn(InetAddress.getByName("127.0.0.2"), primary.port())) {
            if (verb.equals("RCPT")) {
                primary.rcptReply(address, reply);
            } else {
                primary.reply(verb, reply);
            }
            dns.mx("multi.test", 10, "mx1.multi.test")
                    .mx("multi.test", 20, "mx2.multi.test")
                    .a("mx1.multi.test", "127.0.0.1")
                    .a("mx2.multi.test", "127.0.0.2");
            Router byMx = byMx(primary.port());

            List<RecipientOutcome> outcomes = byMx.deliver("multi.test", request("multi.test"))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            List<String> sentOn = List.of(atTheBackup.split(" "));
            assertThat(outcomes).as(what).hasSize(2).allSatisfy(o -> assertThat(o.status())
                    .isEqualTo(DeliveryStatus.DELIVERED));
            assertThat(outcomes)
                    .filteredOn(o -> o.remoteMta().equals("mx2.multi.test"))
                    .hasSize(sentOn.size());
            assertThat(backup.messages()).singleElement().satisfies(m -> assertThat(m.rcptTo())
                    .containsExactlyElementsOf(
                            sentOn.stream().map(a -> "TO:<" + a + ">").toList()));
        }
    }

    /**
     * Where the backup fails too, the primary's reply stands: it said why. That holds when the backup took no
     * connection at all: a destination one of whose hosts answered is not one no host of which answers.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                    | verb     | reply
            the message refused for now               | .        | 452 4.3.1 insufficient storage
            a greeting that refuses for now           | greeting | 421 4.3.2 busy, try later
            """)
    void whenTheBackupFailsTooThePrimarysReplyStands(String what, String verb, String reply) throws Exception {
        try (ScriptedSmtpPeer primary = ScriptedSmtpPeer.startOn(InetAddress.getByName("127.0.0.1"), 0)) {
            if (verb.equals("greeting")) {
                primary.greeting(reply);
            } else {
                primary.reply(verb, reply);
            }
            dns.mx("full.test", 10, "mx1.full.test")
                    .mx("full.test", 20, "mx2.full.test")
                    .a("mx1.full.test", "127.0.0.1")
                    .a("mx2.full.test", "127.0.0.3"); // nobody listens there
            Router byMx = byMx(primary.port());

            List<RecipientOutcome> outcomes = byMx.deliver("full.test", request("full.test"))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcomes).as(what).hasSize(2).allSatisfy(o -> {
                assertThat(o.status()).isEqualTo(DeliveryStatus.TEMPORARY);
                assertThat(o.remoteMta()).isEqualTo("mx1.full.test");
                assertThat(o.remoteReply()).hasToString(reply);
                assertThat(o.enhancedStatus()).hasToString(reply.split(" ")[1]);
            });
        }
    }

    /**
     * RFC 5321 5.1: a route that leads to one of this server's own listeners fails the mail as a loop, whether
     * the route names a host that resolves there or gives the address itself.
     */
    @ParameterizedTest(name = "route host {0}")
    @ValueSource(strings = {"smtp.self.test", "127.0.0.1"})
    void aRouteToItsOwnListenerFailsAsALoopWithoutConnecting(String routeHost) throws Exception {
        try (ScriptedSmtpPeer self = ScriptedSmtpPeer.start()) {
            dns.a("smtp.self.test", "127.0.0.1");
            Router toSelf = toSmarthost(
                    "self.test",
                    routeHost,
                    self.port(),
                    target -> target.getAddress().isLoopbackAddress() && target.getPort() == self.port());

            List<RecipientOutcome> outcomes = toSelf.deliver("self.test", request("self.test"))
                    .toCompletableFuture()
                    .get(10, TimeUnit.SECONDS);

            assertThat(outcomes).hasSize(2).allSatisfy(o -> {
                assertThat(o.status()).isEqualTo(DeliveryStatus.PERMANENT);
                assertThat(o.enhancedStatus()).hasToString("5.4.6");
                assertThat(o.diagnostic()).contains("loops back to myself");
            });
            assertThat(self.sessions()).isEmpty();
        }
    }

    /** A router that sends every domain but local.test to its mail exchangers, on {@code port}. */
    private Router byMx(int port) {
        return new Router(
                new Routing(Set.of("local.test"), Map.of()),
                null,
                testResolver(),
                new HostSelector(port, true, new ConnectLatency(), new SplittableRandom(1)),
                client);
    }

    /** A router that sends {@code domain} to the route {@code host:port}, with {@code ownListener} its own listeners. */
    private Router toSmarthost(String domain, String host, int port, Predicate<InetSocketAddress> ownListener) {
        return new Router(
                new Routing(Set.of("local.test"), Map.of(domain, new Smarthost(host, port, ClientRoute.mx()))),
                null,
                testResolver(),
                new HostSelector(25, true, new ConnectLatency(), new SplittableRandom(1)),
                client,
                OutboundTls.opportunistic(),
                ownListener);
    }

    private DnsMailExchangerResolver testResolver() {
        return new DnsMailExchangerResolver(MxResolverOptions.defaults()
                .withServers(List.of(dns.address()))
                .withTimeout(Duration.ofMillis(300), 1));
    }

    private DeliveryRequest request(String domain) {
        Envelope envelope = new Envelope(
                new ReversePath(new Mailbox("alice", "local.test")),
                List.of(
                        new RcptTo(new Mailbox("bob", domain), RcptParameters.NONE),
                        new RcptTo(new Mailbox("carol", domain), RcptParameters.NONE)),
                MailParameters.NONE);
        return new DeliveryRequest(new QueueId("Q1"), envelope, List.of(0, 1), content);
    }
}
