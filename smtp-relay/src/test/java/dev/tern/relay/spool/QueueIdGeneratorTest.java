package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.queue.QueueId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class QueueIdGeneratorTest {

    private static final int IDS = 200_000;

    /** HashMap turns a bucket into a tree at 8 entries (its TREEIFY_THRESHOLD). */
    private static final int TREEIFY_THRESHOLD = 8;

    @ParameterizedTest(name = "{0} per millisecond")
    @ValueSource(ints = {1, 3, 10, 100})
    void idsOfOneSpoolSpreadOverAHashTablesBuckets(int perMillisecond) {
        long[] tick = {1_796_000_000_000L};
        int[] issued = {0};
        QueueIdGenerator generator = new QueueIdGenerator(() -> tick[0] + issued[0]++ / perMillisecond, new Random(7));
        int buckets = Integer.highestOneBit(IDS * 4 / 3) * 2; // the table HashMap grows to for IDS keys
        int[] load = new int[buckets];
        Set<Integer> hashes = new HashSet<>();
        Set<QueueId> ids = new HashSet<>();
        for (int i = 0; i < IDS; i++) {
            QueueId id = generator.next();
            ids.add(id);
            int h = id.hashCode();
            hashes.add(h);
            load[(h ^ (h >>> 16)) & (buckets - 1)]++;
        }
        int fullest = 0;
        for (int n : load) {
            fullest = Math.max(fullest, n);
        }

        assertThat(ids).hasSize(IDS);
        assertThat(hashes.size()).as("distinct hash codes").isGreaterThan(IDS - 20);
        assertThat(fullest).as("ids in the fullest bucket").isLessThan(TREEIFY_THRESHOLD);
    }

    /**
     * The layout, against base 36 as {@code Long.toString} writes it: nine digits of milliseconds, three of
     * the counter within the millisecond, four of the spool's node; upper case, zero-padded; sorted as issued,
     * a busy millisecond's counter running over into the next millisecond.
     */
    @Test
    void idsAreTheMillisecondTheCounterAndTheNodeInUpperCaseBase36() {
        long[] now = {1_796_000_000_000L};
        QueueIdGenerator generator = new QueueIdGenerator(() -> now[0], new Random(7));
        List<String> issued = new ArrayList<>();
        for (int i = 0; i < 36 * 36 * 36 + 2; i++) {
            issued.add(generator.next().value());
        }
        now[0] = 1_796_000_000_005L;
        issued.add(generator.next().value());

        String node = issued.getFirst().substring(12);
        assertThat(issued)
                .allSatisfy(id -> assertThat(id).matches("[0-9A-Z]{16}").endsWith(node));
        assertThat(issued.getFirst()).startsWith(base36(1_796_000_000_000L, 9) + "000");
        assertThat(issued.get(35)).startsWith(base36(1_796_000_000_000L, 9) + "00Z");
        assertThat(issued.get(36)).startsWith(base36(1_796_000_000_000L, 9) + "010");
        assertThat(issued.get(36 * 36 * 36))
                .as("the counter runs over into the next millisecond")
                .startsWith(base36(1_796_000_000_001L, 9) + "000");
        assertThat(issued.getLast()).startsWith(base36(1_796_000_000_005L, 9) + "000");
        assertThat(issued).isSorted().doesNotHaveDuplicates();
        assertThat(new QueueIdGenerator(() -> 36 * 36 + 35, new Random(7))
                        .next()
                        .value())
                .as("zero-padded")
                .isEqualTo("000000" + "10Z" + "000" + node);
    }

    private static String base36(long value, int width) {
        String digits = Long.toString(value, 36).toUpperCase(Locale.ROOT);
        return "0".repeat(width - digits.length()) + digits;
    }
}
