package dev.tern.relay.dns;

import java.net.InetAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Measured TCP connect latency per address, as an exponentially weighted moving average: each new
 * measurement moves the estimate by {@code alpha} of the difference, so old measurements decay and
 * a host that got faster (or slower) is noticed within a few connects. The SMTP client records a
 * measurement after every connect; {@link HostSelector} reads the estimates. Thread-safe; holds at
 * most {@code maxEntries} addresses, the least recently used forgotten first.
 */
public final class ConnectLatency {
    public static final int DEFAULT_MAX_ENTRIES = 4096;
    public static final double DEFAULT_ALPHA = 0.3;

    private final double alpha;
    private final Map<InetAddress, Double> ewmaNanos;

    public ConnectLatency() {
        this(DEFAULT_MAX_ENTRIES, DEFAULT_ALPHA);
    }

    public ConnectLatency(int maxEntries, double alpha) {
        if (maxEntries < 1) {
            throw new IllegalArgumentException("maxEntries must be positive: " + maxEntries);
        }
        if (!(alpha > 0 && alpha <= 1)) {
            throw new IllegalArgumentException("alpha must be in (0, 1]: " + alpha);
        }
        this.alpha = alpha;
        this.ewmaNanos = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<InetAddress, Double> eldest) {
                return size() > maxEntries;
            }
        };
    }

    /** Adds one connect measurement for {@code address}. */
    public void record(InetAddress address, Duration latency) {
        if (latency.isNegative()) {
            throw new IllegalArgumentException("negative latency: " + latency);
        }
        double sample = latency.toNanos();
        synchronized (ewmaNanos) {
            ewmaNanos.merge(address, sample, (old, fresh) -> old + alpha * (fresh - old));
        }
    }

    /** The current estimate for {@code address}, or empty if it was never measured (or forgotten). */
    public Optional<Duration> estimate(InetAddress address) {
        synchronized (ewmaNanos) {
            Double nanos = ewmaNanos.get(address);
            return nanos == null ? Optional.empty() : Optional.of(Duration.ofNanos(Math.round(nanos)));
        }
    }

    /** Number of addresses currently remembered. */
    public int size() {
        synchronized (ewmaNanos) {
            return ewmaNanos.size();
        }
    }
}
