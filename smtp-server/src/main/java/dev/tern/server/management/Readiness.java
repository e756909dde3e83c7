package dev.tern.server.management;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BooleanSupplier;

/**
 * What must hold for Tern to take traffic, as named checks. Each check reads state that is already
 * known (a channel's flag, a volatile timestamp): evaluating them never blocks the event loop.
 */
public final class Readiness {

    /** One condition, named as it appears in a 503 body. */
    public record Check(String name, BooleanSupplier ready) {
        public Check {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(ready, "ready");
        }
    }

    private final List<Check> checks;

    public Readiness(List<Check> checks) {
        this.checks = List.copyOf(checks);
    }

    /** The names of the checks that fail now; empty when ready. */
    public List<String> notReady() {
        List<String> failing = new ArrayList<>();
        for (Check check : checks) {
            if (!check.ready().getAsBoolean()) {
                failing.add(check.name());
            }
        }
        return failing;
    }
}
