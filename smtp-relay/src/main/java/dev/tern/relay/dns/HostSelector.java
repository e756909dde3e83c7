package dev.tern.relay.dns;

import dev.tern.relay.dns.MxResolution.Exchangers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.random.RandomGenerator;

/**
 * Orders the addresses of a domain's mail exchangers for one delivery attempt. Preference groups
 * come strictly in order (RFC 5321 5.1); within a group of equal preference the hosts are rotated
 * round-robin per destination domain, because RFC 5321 5.1 asks senders to spread load across
 * equal MX hosts. With {@code preferLowLatency} on, a group whose hosts have different measured
 * connect latencies is instead ordered by weighted sampling without replacement, weight {@code 1 /
 * latency}: the faster host usually comes first, yet every host keeps getting traffic. A host never
 * measured gets the best weight of its group, so it gets measured soon. Thread-safe.
 */
public final class HostSelector {
    private static final int MAX_DOMAINS = 10_000;
    /** Floor for latencies, so a zero measurement cannot make an infinite weight. */
    private static final double MIN_NANOS = 1_000;

    private final int port;
    private final boolean preferLowLatency;
    private final ConnectLatency latency;
    private final RandomGenerator random;
    private final Map<String, Integer> rotations;

    /**
     * @param port the destination port (25 for MX delivery, RFC 5321 4.5.4.1)
     * @param preferLowLatency whether to favour faster hosts among equal preferences
     * @param latency where connect latencies are measured
     * @param random source for the weighted choice (inject a seeded one in tests); used under a lock
     */
    public HostSelector(int port, boolean preferLowLatency, ConnectLatency latency, RandomGenerator random) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        this.port = port;
        this.preferLowLatency = preferLowLatency;
        this.latency = latency;
        this.random = random;
        this.rotations = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Integer> eldest) {
                return size() > MAX_DOMAINS;
            }
        };
    }

    /** The addresses to try, in order, for one attempt to deliver to {@code domain}. */
    public List<MxCandidate> select(String domain, Exchangers exchangers) {
        List<MxCandidate> candidates = new ArrayList<>();
        synchronized (rotations) {
            int turn = rotations.merge(domain, 1, (old, one) -> old == Integer.MAX_VALUE ? 0 : old + 1) - 1;
            for (List<MailExchanger> group : exchangers.groups()) {
                for (MailExchanger exchanger : order(group, turn)) {
                    for (InetAddress address : exchanger.addresses()) {
                        candidates.add(new MxCandidate(
                                exchanger.host(), exchanger.preference(), new InetSocketAddress(address, port)));
                    }
                }
            }
        }
        return List.copyOf(candidates);
    }

    private List<MailExchanger> order(List<MailExchanger> group, int turn) {
        List<MailExchanger> rotated = new ArrayList<>(group.size());
        int offset = Math.floorMod(turn, group.size());
        for (int i = 0; i < group.size(); i++) {
            rotated.add(group.get((offset + i) % group.size()));
        }
        if (!preferLowLatency || group.size() < 2) {
            return rotated;
        }
        double[] weights = weights(rotated);
        return weights == null ? rotated : weightedOrder(rotated, weights);
    }

    /** 1/latency per host, or null when all hosts weigh the same (then rotation alone is fairest). */
    private double[] weights(List<MailExchanger> hosts) {
        double[] weights = new double[hosts.size()];
        double best = 0;
        for (int i = 0; i < hosts.size(); i++) {
            Optional<Double> nanos = fastest(hosts.get(i));
            weights[i] = nanos.map(n -> 1 / Math.max(n, MIN_NANOS)).orElse(0.0);
            best = Math.max(best, weights[i]);
        }
        boolean allEqual = true;
        for (int i = 0; i < weights.length; i++) {
            if (weights[i] == 0) {
                weights[i] = best;
            }
            allEqual &= weights[i] == weights[0];
        }
        return allEqual ? null : weights;
    }

    private Optional<Double> fastest(MailExchanger host) {
        return host.addresses().stream()
                .map(latency::estimate)
                .flatMap(Optional::stream)
                .map(Duration::toNanos)
                .map(Long::doubleValue)
                .min(Double::compare);
    }

    private List<MailExchanger> weightedOrder(List<MailExchanger> hosts, double[] weights) {
        List<MailExchanger> left = new ArrayList<>(hosts);
        List<Double> leftWeights = new ArrayList<>();
        for (double weight : weights) {
            leftWeights.add(weight);
        }
        List<MailExchanger> ordered = new ArrayList<>(hosts.size());
        while (!left.isEmpty()) {
            double total = leftWeights.stream().mapToDouble(Double::doubleValue).sum();
            double pick = random.nextDouble() * total;
            int chosen = left.size() - 1;
            for (int i = 0; i < left.size(); i++) {
                pick -= leftWeights.get(i);
                if (pick < 0) {
                    chosen = i;
                    break;
                }
            }
            ordered.add(left.remove(chosen));
            leftWeights.remove(chosen);
        }
        return ordered;
    }
}
