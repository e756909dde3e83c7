package dev.tern.relay.dns;

import static dev.tern.relay.dns.DnsMailExchangerResolverTest.address;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.dns.MxResolution.Exchangers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class HostSelectorTest {
    private static final MailExchanger A = exchanger("a.example.test", 10, "127.0.0.1");
    private static final MailExchanger B = exchanger("b.example.test", 10, "127.0.0.2");
    private static final MailExchanger C = exchanger("c.example.test", 20, "127.0.0.3");

    private final ConnectLatency latency = new ConnectLatency();

    @Test
    void keepsPreferenceGroupsStrictlyInOrder() {
        HostSelector selector = new HostSelector(25, true, latency, new SplittableRandom(1));
        latency.record(address("127.0.0.3"), Duration.ofMillis(1));
        latency.record(address("127.0.0.1"), Duration.ofMillis(500));

        for (int i = 0; i < 50; i++) {
            List<MxCandidate> candidates = selector.select("example.test", new Exchangers(List.of(A, B, C)));
            // The fast host of preference 20 never jumps ahead of preference 10 (RFC 5321 5.1).
            assertThat(candidates).extracting(MxCandidate::preference).containsExactly(10, 10, 20);
        }
    }

    @Test
    void candidatesCarryHostNameAndDestinationPort() {
        HostSelector selector = new HostSelector(2525, false, latency, new SplittableRandom(1));
        MailExchanger twoAddresses =
                new MailExchanger("mx.example.test", 5, List.of(address("127.0.0.7"), address("::1")));

        List<MxCandidate> candidates = selector.select("example.test", new Exchangers(List.of(twoAddresses)));

        assertThat(candidates)
                .containsExactly(
                        new MxCandidate("mx.example.test", 5, new InetSocketAddress(address("127.0.0.7"), 2525)),
                        new MxCandidate("mx.example.test", 5, new InetSocketAddress(address("::1"), 2525)));
    }

    @Test
    void rotatesEqualPreferencesRoundRobinPerDomain() {
        HostSelector selector = new HostSelector(25, true, latency, new SplittableRandom(1));
        Exchangers exchangers = new Exchangers(List.of(A, B, C));

        List<String> firstHosts = List.of(
                first(selector.select("one.test", exchangers)),
                first(selector.select("one.test", exchangers)),
                first(selector.select("two.test", exchangers)),
                first(selector.select("one.test", exchangers)));

        // Each domain keeps its own turn: two.test starts where one.test started.
        assertThat(firstHosts).containsExactly("a.example.test", "b.example.test", "a.example.test", "a.example.test");
    }

    @Test
    void spreadsEvenlyAcrossEqualsWithoutMeasurements() {
        Map<String, Integer> firsts = firsts(new HostSelector(25, true, latency, new SplittableRandom(7)), 100);

        assertThat(firsts.get("a.example.test")).isBetween(35, 65);
        assertThat(firsts.get("b.example.test")).isBetween(35, 65);
    }

    @Test
    void favoursTheFasterHostButStillUsesTheSlowerOne() {
        latency.record(address("127.0.0.1"), Duration.ofMillis(5));
        latency.record(address("127.0.0.2"), Duration.ofMillis(50));

        Map<String, Integer> firsts = firsts(new HostSelector(25, true, latency, new SplittableRandom(7)), 100);

        assertThat(firsts.get("a.example.test")).isGreaterThan(75);
        assertThat(firsts.getOrDefault("b.example.test", 0)).isPositive();
    }

    @Test
    void ignoresLatencyWhenTheOptionIsOff() {
        latency.record(address("127.0.0.1"), Duration.ofMillis(5));
        latency.record(address("127.0.0.2"), Duration.ofMillis(50));

        Map<String, Integer> firsts = firsts(new HostSelector(25, false, latency, new SplittableRandom(7)), 100);

        assertThat(firsts).containsEntry("a.example.test", 50).containsEntry("b.example.test", 50);
    }

    @Test
    void givesUnmeasuredHostsTheBestWeightOfTheirGroup() {
        latency.record(address("127.0.0.1"), Duration.ofMillis(50));

        Map<String, Integer> firsts = firsts(new HostSelector(25, true, latency, new SplittableRandom(7)), 200);

        // b was never measured: it weighs like the best known host, so it is first about half the time.
        assertThat(firsts.get("b.example.test")).isBetween(70, 130);
    }

    @Test
    void sameSeedGivesSameOrder() {
        latency.record(address("127.0.0.1"), Duration.ofMillis(5));
        latency.record(address("127.0.0.2"), Duration.ofMillis(20));

        assertThat(firsts(new HostSelector(25, true, latency, new SplittableRandom(42)), 50))
                .isEqualTo(firsts(new HostSelector(25, true, latency, new SplittableRandom(42)), 50));
    }

    private static Map<String, Integer> firsts(HostSelector selector, int selections) {
        Exchangers exchangers = new Exchangers(List.of(A, B));
        Map<String, Integer> counts = new HashMap<>();
        for (int i = 0; i < selections; i++) {
            counts.merge(first(selector.select("example.test", exchangers)), 1, Integer::sum);
        }
        return counts;
    }

    private static String first(List<MxCandidate> candidates) {
        return candidates.getFirst().host();
    }

    private static MailExchanger exchanger(String host, int preference, String address) {
        return new MailExchanger(host, preference, List.of(address(address)));
    }
}
