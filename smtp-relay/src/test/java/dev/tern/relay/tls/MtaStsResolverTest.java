package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.dns.DnsMailExchangerResolver;
import dev.tern.relay.dns.MxResolverOptions;
import dev.tern.relay.testing.TestCa;
import dev.tern.relay.testing.TestDnsServer;
import dev.tern.relay.testing.TestPolicyServer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * MTA-STS against the in-test DNS responder and a Netty HTTPS policy server on loopback, whose
 * certificate comes from a CA made here and trusted through a PEM file, as delivery.tls-trust-file.
 */
class MtaStsResolverTest {
    private static final String POLICY = "version: STSv1\r\nmode: enforce\r\nmx: mx.sts.test\r\nmax_age: 86400\r\n";

    @TempDir
    Path dir;

    private final TestCa ca = new TestCa("Tern test CA");
    private final TestDnsServer dns = TestDnsServer.start();
    private final TestPolicyServer server = TestPolicyServer.start(ca, "mta-sts.sts.test", "mta-sts.other.test");
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final ExecutorService writer = Executors.newSingleThreadExecutor();

    @AfterEach
    void close() throws Exception {
        server.close();
        dns.close();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        writer.shutdown();
    }

    private MtaStsResolver resolver(Duration bound) throws Exception {
        DnsMailExchangerResolver resolver = new DnsMailExchangerResolver(MxResolverOptions.defaults()
                .withServers(List.of(dns.address()))
                .withTimeout(Duration.ofMillis(300), 1));
        return MtaStsResolver.create(
                resolver,
                group,
                NioSocketChannel.class,
                TrustAnchors.load(ca.writePem(dir.resolve("ca.pem"))),
                server.port(),
                bound,
                dir.resolve("mta-sts-policies"),
                100,
                writer,
                Clock.systemUTC());
    }

    private MtaStsResolver resolver() throws Exception {
        return resolver(Duration.ofSeconds(5));
    }

    private static Optional<MtaStsPolicy> policy(MtaSts sts, String domain) throws Exception {
        return sts.policy(domain).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private void publish(String domain, String id) {
        dns.txt("_mta-sts." + domain, "v=STSv1; id=" + id + ";").a("mta-sts." + domain, "127.0.0.1");
    }

    @Test
    void fetchesThePolicyAndKeepsItWhileTheIdStaysTheSame() throws Exception {
        publish("sts.test", "20261204");
        server.policy("mta-sts.sts.test", POLICY);
        MtaStsResolver sts = resolver();

        MtaStsPolicy first = policy(sts, "sts.test").orElseThrow();
        MtaStsPolicy second = policy(sts, "STS.test").orElseThrow();

        assertThat(first.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(first.mx()).containsExactly("mx.sts.test");
        assertThat(first.id()).isEqualTo("20261204");
        assertThat(second).isEqualTo(first);
        assertThat(server.requests()).containsExactly("mta-sts.sts.test/.well-known/mta-sts.txt");
    }

    @Test
    void fetchesAgainWhenTheIdChanges() throws Exception {
        publish("sts.test", "one");
        server.policy("mta-sts.sts.test", POLICY);
        MtaStsResolver sts = resolver();
        policy(sts, "sts.test");
        dns.remove("_mta-sts.sts.test", "TXT");
        publish("sts.test", "two");
        server.policy("mta-sts.sts.test", POLICY.replace("enforce", "testing"));

        MtaStsPolicy changed = policy(sts, "sts.test").orElseThrow();

        assertThat(changed.id()).isEqualTo("two");
        assertThat(changed.mode()).isEqualTo(MtaStsPolicy.Mode.TESTING);
        assertThat(server.requests()).hasSize(2);
    }

    @Test
    void aDomainWithoutTheTxtRecordHasNoPolicy() throws Exception {
        server.policy("mta-sts.sts.test", POLICY);

        assertThat(policy(resolver(), "sts.test")).isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            a redirect is not followed (RFC 8461 3.3) | 301 | text/plain | https://elsewhere.test/
            any other status is no policy             | 404 | text/plain | ''
            the content type must be text/plain       | 200 | text/html  | ''
            """)
    void refusesWhatRfc8461Refuses(String what, int status, String type, String location) throws Exception {
        publish("sts.test", "1");
        server.answer(
                "mta-sts.sts.test",
                new TestPolicyServer.Answer(status, type, POLICY, location.isEmpty() ? null : location));

        assertThat(policy(resolver(), "sts.test")).isEmpty();
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void aFailedFetchIsNotRepeatedForTheSameIdAtOnce() throws Exception {
        publish("sts.test", "1");
        server.answer("mta-sts.sts.test", new TestPolicyServer.Answer(500, "text/plain", "", null));
        MtaStsResolver sts = resolver();
        policy(sts, "sts.test");

        Optional<MtaStsPolicy> again = policy(sts, "sts.test");

        assertThat(again).isEmpty();
        assertThat(server.requests()).hasSize(1);
    }

    @Test
    void refusesAPolicyLargerThanTheBound() throws Exception {
        publish("sts.test", "1");
        server.policy("mta-sts.sts.test", POLICY + "x: " + "y".repeat(MtaStsResolver.MAX_POLICY_BYTES) + "\n");

        assertThat(policy(resolver(), "sts.test")).isEmpty();
    }

    @Test
    void refusesAPolicyHostWhoseCertificateNamesAnotherHost() throws Exception {
        // The server's certificate names mta-sts.sts.test and mta-sts.other.test only.
        publish("third.test", "1");
        server.policy("mta-sts.third.test", POLICY);

        assertThat(policy(resolver(), "third.test")).isEmpty();
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void answersWithinTheBoundWhenThePolicyHostHangs() throws Exception {
        publish("sts.test", "1");
        server.hang("mta-sts.sts.test");
        MtaStsResolver sts = resolver(Duration.ofMillis(500));

        long started = System.nanoTime();
        Optional<MtaStsPolicy> none = policy(sts, "sts.test");

        assertThat(none).isEmpty();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(3));
    }

    @Test
    void aCachedPolicyOutlivesARestartAndAPolicyHostThatIsDown() throws Exception {
        publish("sts.test", "1");
        server.policy("mta-sts.sts.test", POLICY);
        policy(resolver(), "sts.test");
        Path file = dir.resolve("mta-sts-policies");
        org.awaitility.Awaitility.await()
                .atMost(Duration.ofSeconds(5))
                .until(() -> Files.exists(file) && Files.readString(file).contains("sts.test 1 "));
        server.close();

        // A new resolver, as after a restart: the policy comes from the file, the server is not asked.
        MtaStsPolicy kept = policy(resolver(), "sts.test").orElseThrow();

        assertThat(kept.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(kept.mx()).containsExactly("mx.sts.test");
        assertThat(Files.list(dir).map(p -> p.getFileName().toString())).doesNotContain("mta-sts-policies.tmp");
    }

    @Test
    void aCachedPolicyStaysWhenTheTxtRecordGoes() throws Exception {
        publish("sts.test", "1");
        server.policy("mta-sts.sts.test", POLICY);
        MtaStsResolver sts = resolver();
        policy(sts, "sts.test");
        dns.remove("_mta-sts.sts.test", "TXT");

        // RFC 8461 5.1: the policy stays in force until it expires.
        assertThat(policy(sts, "sts.test")).isPresent();
    }
}
