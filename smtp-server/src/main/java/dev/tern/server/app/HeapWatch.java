package dev.tern.server.app;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.tern.server.smtp.HeapRoom;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import javax.management.ListenerNotFoundException;
import javax.management.Notification;
import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heap in use after each garbage collection, against the largest heap the JVM may have: above {@link #HIGH} of
 * it Tern takes no new mail ({@link HeapRoom#full}), below {@link #LOW} again (the gap keeps it from flapping). What
 * a collection leaves is what is alive, the queue above all; the JVM tells each collection's end on its own thread,
 * never an event loop.
 */
final class HeapWatch implements HeapRoom, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(HeapWatch.class);

    /** The share of the heap in use after a collection above which new mail is refused. */
    static final double HIGH = 0.85;
    /** The share below which it is taken again. */
    static final double LOW = 0.75;

    private final long max;
    private final Set<String> heapPools;
    private final List<NotificationEmitter> emitters = new ArrayList<>();
    private final NotificationListener listener = this::collected;
    private volatile boolean full;

    HeapWatch(long max, Set<String> heapPools) {
        this.max = max;
        this.heapPools = Set.copyOf(heapPools);
    }

    /** Watches this JVM's collections. */
    static HeapWatch start() {
        Set<String> pools = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(p -> p.getType() == MemoryType.HEAP)
                .map(MemoryPoolMXBean::getName)
                .collect(Collectors.toSet());
        HeapWatch watch = new HeapWatch(Runtime.getRuntime().maxMemory(), pools);
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter emitter) {
                emitter.addNotificationListener(watch.listener, null, null);
                watch.emitters.add(emitter);
            }
        }
        return watch;
    }

    @Override
    public boolean full() {
        return full;
    }

    private void collected(Notification notification, Object handback) {
        if (!GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(notification.getType())) {
            return;
        }
        GarbageCollectionNotificationInfo info =
                GarbageCollectionNotificationInfo.from((CompositeData) notification.getUserData());
        afterCollection(used(info.getGcInfo().getMemoryUsageAfterGc()));
    }

    private long used(Map<String, MemoryUsage> pools) {
        long used = 0;
        for (Map.Entry<String, MemoryUsage> pool : pools.entrySet()) {
            if (heapPools.contains(pool.getKey())) {
                used += pool.getValue().getUsed();
            }
        }
        return used;
    }

    /** A collection left {@code used} bytes of heap in use. */
    void afterCollection(long used) {
        if (max <= 0 || max == Long.MAX_VALUE) {
            return; // no known bound to measure against
        }
        long percent = Math.round(100.0 * used / max);
        if (!full && used > HIGH * max) {
            full = true;
            log.warn(
                    "heap {}% in use after a garbage collection ({} of {} bytes): new mail is refused (452 4.3.1)"
                            + " until it falls below {}%",
                    percent, used, max, Math.round(LOW * 100));
        } else if (full && used < LOW * max) {
            full = false;
            log.info("heap {}% in use after a garbage collection: new mail is taken again", percent);
        }
    }

    @Override
    public void close() {
        for (NotificationEmitter emitter : emitters) {
            try {
                emitter.removeNotificationListener(listener);
            } catch (ListenerNotFoundException e) {
                // Already gone.
            }
        }
        emitters.clear();
    }
}
