package dev.tern.server.sink;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What a {@link Sink} has seen so far.
 *
 * @param connections connections accepted (those refused at the greeting included)
 * @param messages messages accepted (250 after their end)
 * @param recipients recipients of the accepted messages
 * @param bytes octets of the accepted messages as received (after dot-unstuffing)
 * @param refused connections and messages refused by a limit, not by a fault: too many connections, a
 *     message too big or with bare line ends, a store that failed
 * @param faults how often each fault was injected
 */
public record SinkCounts(
        long connections, long messages, long recipients, long bytes, long refused, Map<Fault, Long> faults) {

    public SinkCounts {
        faults = Map.copyOf(faults);
    }

    /** How often {@code fault} was injected. */
    public long fault(Fault fault) {
        return faults.getOrDefault(fault, 0L);
    }

    /** One line of {@code name=value} pairs, faults by their labels: what {@code tern sink} prints. */
    public String toLine() {
        StringBuilder line = new StringBuilder()
                .append("connections=")
                .append(connections)
                .append(" messages=")
                .append(messages)
                .append(" recipients=")
                .append(recipients)
                .append(" bytes=")
                .append(bytes)
                .append(" refused=")
                .append(refused);
        for (Fault fault : Fault.values()) {
            line.append(' ').append(fault.label()).append('=').append(fault(fault));
        }
        return line.toString();
    }

    /** The live counters, added to from every event loop. */
    static final class Counters {
        final LongAdder connections = new LongAdder();
        final LongAdder messages = new LongAdder();
        final LongAdder recipients = new LongAdder();
        final LongAdder bytes = new LongAdder();
        final LongAdder refused = new LongAdder();
        private final Map<Fault, LongAdder> faults = new EnumMap<>(Fault.class);

        Counters() {
            for (Fault fault : Fault.values()) {
                faults.put(fault, new LongAdder());
            }
        }

        void fault(Fault fault) {
            faults.get(fault).increment();
        }

        SinkCounts snapshot() {
            Map<Fault, Long> counts = new EnumMap<>(Fault.class);
            faults.forEach((fault, adder) -> counts.put(fault, adder.sum()));
            return new SinkCounts(
                    connections.sum(), messages.sum(), recipients.sum(), bytes.sum(), refused.sum(), counts);
        }
    }
}
