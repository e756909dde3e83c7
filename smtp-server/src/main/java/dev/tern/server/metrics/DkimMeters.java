package dev.tern.server.metrics;

import dev.tern.server.dkim.DkimAlgorithm;
import dev.tern.server.dkim.DkimMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/** The DKIM signer's meters, every one created up front; called on the signing threads. */
public final class DkimMeters implements DkimMetrics, MeterBinder {
    private final Map<DkimAlgorithm, Counter> signed = new EnumMap<>(DkimAlgorithm.class);
    private final Map<DkimAlgorithm, Counter> failed = new EnumMap<>(DkimAlgorithm.class);
    private final Map<Unsigned, Counter> unsigned = new EnumMap<>(Unsigned.class);
    private Counter busy;

    @Override
    public void bindTo(MeterRegistry registry) {
        for (DkimAlgorithm a : DkimAlgorithm.values()) {
            signed.put(a, signatures(registry, a, "signed"));
            failed.put(a, signatures(registry, a, "failed"));
        }
        for (Unsigned reason : Unsigned.values()) {
            unsigned.put(
                    reason,
                    Counter.builder("tern.dkim.unsigned")
                            .description("Messages from users of ours left unsigned: no single From address, or no key"
                                    + " for its domain")
                            .tag("reason", reason.name().toLowerCase(Locale.ROOT))
                            .register(registry));
        }
        busy = Counter.builder("tern.dkim.busy")
                .description("Messages answered 451 because the signing queue (dkim.max-pending) was full")
                .register(registry);
    }

    private static Counter signatures(MeterRegistry registry, DkimAlgorithm algorithm, String outcome) {
        return Counter.builder("tern.dkim.signatures")
                .description("DKIM-Signature fields made (signed), or that failed and held their message back")
                .tag("algorithm", algorithm.tag())
                .tag("outcome", outcome)
                .register(registry);
    }

    @Override
    public void signature(DkimAlgorithm algorithm, boolean ok) {
        (ok ? signed : failed).get(algorithm).increment();
    }

    @Override
    public void unsigned(Unsigned reason) {
        unsigned.get(reason).increment();
    }

    @Override
    public void busy() {
        busy.increment();
    }
}
