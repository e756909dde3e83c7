package dev.tern.relay.spool;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.queue.QueueId;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
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
}
