package dev.tern.relay.spool;

import dev.tern.smtp.queue.QueueId;
import java.nio.charset.StandardCharsets;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;

/**
 * Queue ids: 16 upper-case base-36 characters, {@code [millis 9][counter 3][node 4]}. The time and
 * counter make ids of one spool sort by acceptance; the node part is random per open spool, so two
 * runs (or two nodes) that hit the same millisecond and counter still differ. Nine digits of
 * milliseconds since 1970 last until the year 5138. Used by the writer thread only, once per message:
 * the digits are written into one array, with no intermediate strings.
 */
final class QueueIdGenerator {

    private static final int COUNTER_LIMIT = 36 * 36 * 36;

    private static final byte[] DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ".getBytes(StandardCharsets.US_ASCII);

    private final LongSupplier clock;
    private final byte[] node = new byte[4];
    private long lastMillis;
    private int counter;

    QueueIdGenerator(LongSupplier clock, RandomGenerator random) {
        this.clock = clock;
        digits(random.nextInt(36 * 36 * 36 * 36), node, 0, 4);
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
        byte[] id = new byte[16];
        digits(lastMillis, id, 0, 9);
        digits(counter, id, 9, 3);
        System.arraycopy(node, 0, id, 12, 4);
        return new QueueId(new String(id, StandardCharsets.US_ASCII));
    }

    /** {@code value} in {@code width} base-36 digits, with leading zeros, at {@code from}. */
    private static void digits(long value, byte[] into, int from, int width) {
        for (int i = from + width - 1; i >= from; i--) {
            into[i] = DIGITS[(int) (value % 36)];
            value /= 36;
        }
    }
}
