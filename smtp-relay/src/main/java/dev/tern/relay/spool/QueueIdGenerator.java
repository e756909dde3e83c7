package dev.tern.relay.spool;

import dev.tern.smtp.queue.QueueId;
import java.util.Locale;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Queue ids: 16 upper-case base-36 characters, {@code [millis 9][counter 3][node 4]}. The time and
 * counter make ids of one spool sort by acceptance; the node part is random per open spool, so two
 * runs (or two nodes) that hit the same millisecond and counter still differ. Used by the writer
 * thread only.
 */
final class QueueIdGenerator {

    private static final int COUNTER_LIMIT = 36 * 36 * 36;

    private final LongSupplier clock;
    private final String node;
    private long lastMillis;
    private int counter;

    QueueIdGenerator(LongSupplier clock, RandomGenerator random) {
        this.clock = clock;
        this.node = base36(random.nextInt(36 * 36 * 36 * 36), 4);
    }

    QueueId next() {
        long now = clock.getAsLong();
        if (now > lastMillis) {
            lastMillis = now;
            counter = 0;
        } else if (++counter == COUNTER_LIMIT) {
            // More than 46,656 ids in one millisecond, or the clock went back: borrow the next millisecond.
            lastMillis++;
            counter = 0;
        }
        return new QueueId(base36(lastMillis, 9) + base36(counter, 3) + node);
    }

    private static String base36(long value, int width) {
        String digits = Long.toString(value, 36).toUpperCase(Locale.ROOT);
        return digits.length() >= width ? digits : "0".repeat(width - digits.length()) + digits;
    }
}
