package dev.tern.server.limit;

/**
 * Events in the last window, estimated from two fixed windows: the previous window's count weighted by
 * how much of it still overlaps the sliding one, plus the current count. Constant memory (no list of
 * timestamps), at most one window of error when events bunch at a window's edge. Not thread-safe: the
 * owner synchronises.
 */
final class SlidingWindow {
    private long start;
    private int previous;
    private int current;

    SlidingWindow(long now) {
        this.start = now;
    }

    /** Counts one event if fewer than {@code limit} happened in the last window; true when counted. */
    boolean tryAcquire(long now, long window, int limit) {
        if (estimate(now, window) + 1 > limit) {
            return false;
        }
        current++;
        return true;
    }

    /** Whether {@code limit} events or more happened in the last window. */
    boolean reached(long now, long window, int limit) {
        return estimate(now, window) >= limit;
    }

    /** Counts one event. */
    void add(long now, long window) {
        roll(now, window);
        if (current < Integer.MAX_VALUE) {
            current++;
        }
    }

    /** Takes back one event counted by {@link #add}, whichever window it has rolled into since. */
    void remove() {
        if (current > 0) {
            current--;
        } else if (previous > 0) {
            previous--;
        }
    }

    double estimate(long now, long window) {
        roll(now, window);
        double overlap = 1.0 - (double) (now - start) / window;
        return previous * overlap + current;
    }

    private void roll(long now, long window) {
        long elapsed = now - start;
        if (elapsed >= 2 * window) {
            previous = 0;
            current = 0;
            start = now;
        } else if (elapsed >= window) {
            previous = current;
            current = 0;
            start += window;
        }
    }
}
