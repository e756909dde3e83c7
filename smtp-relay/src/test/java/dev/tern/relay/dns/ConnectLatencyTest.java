package dev.tern.relay.dns;

import static dev.tern.relay.dns.DnsMailExchangerResolverTest.address;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectLatencyTest {

    @Test
    void firstMeasurementIsTheEstimate() {
        ConnectLatency latency = new ConnectLatency();

        latency.record(address("127.0.0.1"), Duration.ofMillis(40));

        assertThat(latency.estimate(address("127.0.0.1"))).contains(Duration.ofMillis(40));
        assertThat(latency.estimate(address("127.0.0.2"))).isEmpty();
    }

    @Test
    void movesTowardNewMeasurementsByAlpha() {
        ConnectLatency latency = new ConnectLatency(16, 0.5);

        latency.record(address("127.0.0.1"), Duration.ofMillis(100));
        latency.record(address("127.0.0.1"), Duration.ofMillis(20));

        assertThat(latency.estimate(address("127.0.0.1"))).contains(Duration.ofMillis(60));
    }

    @Test
    void oldMeasurementsDecay() {
        ConnectLatency latency = new ConnectLatency();
        latency.record(address("127.0.0.1"), Duration.ofSeconds(5));

        for (int i = 0; i < 30; i++) {
            latency.record(address("127.0.0.1"), Duration.ofMillis(10));
        }

        assertThat(latency.estimate(address("127.0.0.1")).orElseThrow()).isLessThan(Duration.ofMillis(11));
    }

    @Test
    void forgetsTheLeastRecentlyUsedBeyondItsBound() {
        ConnectLatency latency = new ConnectLatency(2, 0.3);

        latency.record(address("127.0.0.1"), Duration.ofMillis(1));
        latency.record(address("127.0.0.2"), Duration.ofMillis(2));
        latency.estimate(address("127.0.0.1"));
        latency.record(address("127.0.0.3"), Duration.ofMillis(3));

        assertThat(latency.size()).isEqualTo(2);
        assertThat(latency.estimate(address("127.0.0.2"))).isEmpty();
        assertThat(latency.estimate(address("127.0.0.1"))).isPresent();
    }
}
