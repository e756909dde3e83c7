package dev.tern.relay.spool;

import dev.tern.smtp.queue.QueueId;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A queue of {@code queued} messages keyed by their ids, as the spool's index and the queue keep them: each
 * id looked up once. {@code key=id} keys by {@link QueueId} (its own hash), {@code key=string} by the id's
 * text ({@link String#hashCode}, which many ids share). The ids are a spool's, three per millisecond. Run with
 * {@code bench/jmh.sh QueueIdMapBenchmark}; the time per operation is one lookup.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class QueueIdMapBenchmark {

    @Param({"10000", "200000"})
    public int queued;

    @Param({"id", "string"})
    public String key;

    private Object[] keys;
    private final Map<Object, Integer> map = new HashMap<>();
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        long start = 1_796_000_000_000L;
        int[] issued = {0};
        QueueIdGenerator ids = new QueueIdGenerator(() -> start + issued[0]++ / 3, new Random(7));
        keys = new Object[queued];
        for (int i = 0; i < queued; i++) {
            QueueId id = ids.next();
            keys[i] = key.equals("id") ? id : id.value();
            map.put(keys[i], i);
        }
    }

    @Benchmark
    public Integer lookUp() {
        Object k = keys[next];
        next = next + 1 == keys.length ? 0 : next + 1;
        return map.get(k);
    }
}
