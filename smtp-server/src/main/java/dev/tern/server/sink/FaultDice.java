package dev.tern.server.sink;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The sink's source of chance: the n-th draw of each kind is a fixed function of the seed and n
 * (SplitMix64's finaliser), so a run with the same seed makes the same choices for its n-th RCPT,
 * message or transaction whatever the timing and however many connections share the sink.
 */
final class FaultDice {
    enum Kind {
        RCPT,
        DATA,
        DROP
    }

    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private final AtomicLong[] draws = new AtomicLong[Kind.values().length];

    FaultDice(long seed) {
        this.seed = seed;
        for (int i = 0; i < draws.length; i++) {
            draws[i] = new AtomicLong();
        }
    }

    /** The next draw of {@code kind}: a number in [0, 100), uniformly spread. */
    double percent(Kind kind) {
        long n = draws[kind.ordinal()].getAndIncrement();
        long z = seed + (kind.ordinal() + 1) * 0x632BE59BD9B4E019L + n * GOLDEN;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-53 * 100;
    }
}
