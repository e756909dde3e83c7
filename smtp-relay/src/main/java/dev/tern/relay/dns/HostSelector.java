package dev.tern.relay.dns;

import dev.tern.relay.dns.MxResolution.Exchangers;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.random.RandomGenerator;

/**
 * Orders the addresses of a domain's mail exchangers for one delivery attempt. Preference groups come
 * strictly in order (RFC 5321 5.1). Within a group of equal preference RFC 5321 5.1 asks senders to spread
 * the load, so each host has a share of the group's first places, and a smooth weighted round-robin per
 * destination domain (nginx's) hands them out: over any run of attempts each host comes first its share of
 * the time, to within one attempt. The rotation starts at a random phase per domain (RFC 5321 5.1: "the
 * sender-SMTP MUST randomize them"); the other hosts follow, the one owed most first.
 *
 * <p>Shares are equal, unless {@code preferLowLatency} is on and the hosts' measured connect latencies
 * differ by more than jitter: a host within {@link #JITTER_RATIO} (or {@link #JITTER_NANOS}) of the
 * fastest counts as fast as it; a slower one weighs {@code tolerated / latency}, but never less than {@link
 * #FLOOR} of an equal share, so it keeps getting traffic (and measurements). For two hosts over 400
 * attempts: jitter only gives 200/200, one three times slower (10 ms against 30 ms) about 282/118, one ten
 * times slower the floor, 333/67. A host never measured counts as fast, so it gets measured soon.
 * Thread-safe.
 */
public final class HostSelector {
    /** Latencies within this fraction of the fastest host's are jitter, not a slower host. */
    static final double JITTER_RATIO = 0.25;
    /** ... or within this much, which is what counts where latencies are well under a millisecond. */
    static final double JITTER_NANOS = Duration.ofMillis(2).toNanos();
    /** The least a host of a group gets, as a fraction of an equal share (a third: 1/6 of two hosts). */
    static final double FLOOR = 1.0 / 3;

    private static final int MAX_DOMAINS = 10_000;
    /** Floor for latencies, so a zero measurement cannot make an infinite weight. */
    private static final double MIN_NANOS = 1_000;

    private final int port;
    private final boolean preferLowLatency;
    private final ConnectLatency latency;
    private final RandomGenerator random;
    /** Per destination domain, each host's credit in the weighted round-robin; guarded by itself. */
    private final Map<String, Map<String, Double>> credits;

    /**
     * @param port the destination port (25 for MX delivery, RFC 5321 4.5.4.1)
     * @param preferLowLatency whether to favour faster hosts among equal preferences
     * @param latency where connect latencies are measured
     * @param random the starting phase of each domain's rotation (inject a seeded one in tests); used under a
     *     lock
     */
    public HostSelector(int port, boolean preferLowLatency, ConnectLatency latency, RandomGenerator random) {
        if (port < 1 || port > 65_535) {
            throw new IllegalArgumentException("port must be 1..65535: " + port);
        }
        this.port = port;
        this.preferLowLatency = preferLowLatency;
        this.latency = latency;
        this.random = random;
        this.credits = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Map<String, Double>> eldest) {
                return size() > MAX_DOMAINS;
            }
        };
    }

    /** The addresses to try, in order, for one attempt to deliver to {@code domain}. */
    public List<MxCandidate> select(String domain, Exchangers exchangers) {
        List<MxCandidate> candidates = new ArrayList<>();
        synchronized (credits) {
            Map<String, Double> credit = credits.computeIfAbsent(domain, d -> new HashMap<>());
            Set<String> hosts = new HashSet<>();
            exchangers.exchangers().forEach(x -> hosts.add(x.host()));
            // Hosts the domain no longer lists are forgotten; new ones start at a random phase.
            credit.keySet().retainAll(hosts);
            for (List<MailExchanger> group : exchangers.groups()) {
                for (MailExchanger exchanger : order(group, credit)) {
                    for (InetAddress address : exchanger.addresses()) {
                        candidates.add(new MxCandidate(
                                exchanger.host(), exchanger.preference(), new InetSocketAddress(address, port)));
                    }
                }
            }
        }
        return List.copyOf(candidates);
    }

    /** One round of smooth weighted round-robin: all earn their share, the richest goes first and pays 1. */
    private List<MailExchanger> order(List<MailExchanger> group, Map<String, Double> credit) {
        if (group.size() == 1) {
            return group;
        }
        double[] shares = shares(weights(group), FLOOR);
        int first = 0;
        for (int i = 0; i < group.size(); i++) {
            double earned = credit.computeIfAbsent(group.get(i).host(), h -> random.nextDouble()) + shares[i];
            credit.put(group.get(i).host(), earned);
            if (earned > credit.get(group.get(first).host())) {
                first = i;
            }
        }
        MailExchanger chosen = group.get(first);
        credit.merge(chosen.host(), -1.0, Double::sum);
        List<MailExchanger> ordered = new ArrayList<>(group);
        ordered.remove(first);
        ordered.sort(Comparator.comparingDouble((MailExchanger x) -> credit.get(x.host()))
                .reversed());
        ordered.addFirst(chosen);
        return ordered;
    }

    /** 1 for a host as fast as the fastest give or take jitter (or never measured), less for a slower one. */
    private double[] weights(List<MailExchanger> group) {
        double[] weights = new double[group.size()];
        Arrays.fill(weights, 1);
        if (!preferLowLatency) {
            return weights;
        }
        double[] nanos = new double[group.size()];
        double fastest = Double.MAX_VALUE;
        for (int i = 0; i < group.size(); i++) {
            nanos[i] = fastest(group.get(i)).map(n -> Math.max(n, MIN_NANOS)).orElse(0.0);
            if (nanos[i] > 0) {
                fastest = Math.min(fastest, nanos[i]);
            }
        }
        double tolerated = fastest + Math.max(fastest * JITTER_RATIO, JITTER_NANOS);
        for (int i = 0; i < group.size(); i++) {
            if (nanos[i] > 0) {
                weights[i] = Math.min(1, tolerated / nanos[i]);
            }
        }
        return weights;
    }

    /**
     * Weights as shares summing to 1, none below {@code floor} of an equal share: a host below it is raised
     * to it, and what that costs is taken from the others in proportion to their weights, until no one is
     * below (each round fixes at least one host, so at most one round per host).
     */
    static double[] shares(double[] weights, double floor) {
        int n = weights.length;
        double least = floor / n;
        double[] shares = new double[n];
        boolean[] raised = new boolean[n];
        boolean changed = true;
        while (changed) {
            changed = false;
            double left = 1;
            double free = 0;
            for (int i = 0; i < n; i++) {
                if (raised[i]) {
                    left -= least;
                } else {
                    free += weights[i];
                }
            }
            for (int i = 0; i < n; i++) {
                shares[i] = raised[i] ? least : left * weights[i] / free;
                if (!raised[i] && shares[i] < least) {
                    raised[i] = true;
                    changed = true;
                }
            }
        }
        return shares;
    }

    private Optional<Double> fastest(MailExchanger host) {
        return host.addresses().stream()
                .map(latency::estimate)
                .flatMap(Optional::stream)
                .map(Duration::toNanos)
                .map(Long::doubleValue)
                .min(Double::compare);
    }
}
