package dev.tern.server.limit;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.benmanes.caffeine.cache.Ticker;
import dev.tern.server.config.ConfigLoader;
import java.lang.management.ManagementFactory;
import java.lang.ref.Reference;
import java.net.InetAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A million distinct client addresses, each connecting and failing AUTH as a new user name, must not grow
 * the heap past what the configured bound allows: with {@code max-tracked-clients: 100000} both caches
 * together stay under 64 MiB (about 250 bytes an address and 200 a user name), where unbounded they would
 * take over 400 MiB.
 */
class ClientLimiterMemoryTest {
    private static final long BOUND = 64L << 20;

    @Test
    void aMillionDistinctAddressesStayWithinTheBound() throws Exception {
        ClientLimiter limiter = new ClientLimiter(
                ConfigLoader.fromYaml("rate-limits: {max-tracked-clients: 100000}", Map.of())
                        .rateLimits(),
                Ticker.systemTicker());
        long before = usedHeapAfterGc();
        for (int i = 0; i < 1_000_000; i++) {
            int v4 = 0x0A000000 + i;
            byte[] bytes = {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
            ClientLimiter.Client client = limiter.client(InetAddress.getByAddress(bytes), false);
            client.allowConnection();
            client.allowMessage(false);
            client.beginAuth("user" + i);
        }
        limiter.cleanUp();
        long grown = usedHeapAfterGc() - before;
        System.out.printf(
                "1,000,000 addresses: %d tracked, heap grown by %.1f MiB%n",
                limiter.trackedClients(), grown / 1048576.0);
        assertThat(limiter.trackedClients()).isLessThanOrEqualTo(100_000);
        assertThat(grown).isLessThan(BOUND);
        Reference.reachabilityFence(limiter);
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
