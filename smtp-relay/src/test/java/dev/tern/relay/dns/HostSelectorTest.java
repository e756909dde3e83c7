package dev.tern.relay.dns;

import static dev.tern.relay.dns.DnsMailExchangerResolverTest.address;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.tern.relay.dns.MxResolution.Exchangers;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

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

        List<String> one = new ArrayList<>();
        List<String> two = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            one.add(first(selector.select("one.test", exchangers)));
            one.add(first(selector.select("one.test", exchangers)));
            two.add(first(selector.select("two.test", exchangers)));
        }

        // Each domain keeps its own turn, from its own random start (RFC 5321 5.1): each alternates.
        assertAlternates(one);
        assertAlternates(two);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                         | option | a (ms) | b (ms) | jitter | a first | b first
            no measurements yet                            | on     | -      | -      | 0      | 200     | 200
            the same latency                               | on     | 20     | 20     | 0      | 200     | 200
            b slower by jitter (a fifth)                   | on     | 20     | 24     | 0      | 200     | 200
            sub-millisecond latencies a few times apart    | on     | 0.2    | 0.9    | 0      | 200     | 200
            both jittering ±20% around 20 ms, measured anew | on     | 20     | 20     | 0.2    | 200     | 200
            b three times slower: less, above the floor    | on     | 10     | 30     | 0      | 282     | 118
            b ten times slower: the floor, a third of 200  | on     | 10     | 100    | 0      | 333     | 67
            ... measured anew with jitter                  | on     | 10     | 100    | 0.2    | 333     | 67
            latency ignored when the option is off         | off    | 10     | 100    | 0      | 200     | 200
            """)
    void splitsFourHundredMessagesBetweenTwoEqualHosts(
            String what, String option, String a, String b, double jitter, int aFirst, int bFirst) {
        SplittableRandom random = new SplittableRandom(42);
        HostSelector selector = new HostSelector(25, option.equals("on"), latency, random.split());
        Map<String, Integer> firsts = new HashMap<>();
        for (int i = 0; i < 400; i++) {
            measure("127.0.0.1", a, jitter, random);
            measure("127.0.0.2", b, jitter, random);
            firsts.merge(first(selector.select("example.test", new Exchangers(List.of(A, B)))), 1, Integer::sum);
        }

        // The figures of docs/flow.md, to within one message (the rotation's random start).
        assertThat(firsts.getOrDefault("a.example.test", 0)).as(what).isCloseTo(aFirst, within(1));
        assertThat(firsts.getOrDefault("b.example.test", 0)).as(what).isCloseTo(bFirst, within(1));
        // Never below the floor: a third of an equal share.
        assertThat(firsts.getOrDefault("b.example.test", 0)).as(what).isGreaterThanOrEqualTo(400 / 2 / 3);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                   | weights         | shares
            equal weights, equal shares              | 1 1             | 0.5 0.5
            in proportion above the floor            | 1 0.5           | 0.667 0.333
            raised to a third of an equal share      | 1 0.1           | 0.833 0.167
            three hosts, one raised, two in proportion | 1 0.5 0.01    | 0.593 0.296 0.111
            three hosts, two raised                  | 1 0.01 0.01     | 0.778 0.111 0.111
            """)
    void sharesNeverFallBelowTheFloor(String what, String weights, String shares) {
        double[] w = Arrays.stream(weights.split(" "))
                .mapToDouble(Double::parseDouble)
                .toArray();
        double[] expected = Arrays.stream(shares.split(" "))
                .mapToDouble(Double::parseDouble)
                .toArray();

        double[] actual = HostSelector.shares(w, HostSelector.FLOOR);

        assertThat(actual).as(what).containsExactly(expected, within(0.001));
        assertThat(Arrays.stream(actual).sum()).as(what).isCloseTo(1.0, within(1e-9));
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

    /** One connect measurement of {@code millis}, off by up to {@code jitter} of it either way; "-": none. */
    private void measure(String address, String millis, double jitter, SplittableRandom random) {
        if (millis.equals("-")) {
            return;
        }
        double nanos = Double.parseDouble(millis) * 1_000_000 * (1 + jitter * (2 * random.nextDouble() - 1));
        latency.record(address(address), Duration.ofNanos(Math.round(nanos)));
    }

    private static void assertAlternates(List<String> hosts) {
        for (int i = 1; i < hosts.size(); i++) {
            assertThat(hosts.get(i)).as("turn %d of %s", i, hosts).isNotEqualTo(hosts.get(i - 1));
        }
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
