package dev.tern.server.limit;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SlidingWindowTest {
    private static final long W = 60_000;

    @Test
    void admitsTheLimitThenRefuses() {
        SlidingWindow w = new SlidingWindow(0);
        for (int i = 0; i < 5; i++) {
            assertThat(w.tryAcquire(i, W, 5)).as("event %d", i).isTrue();
        }
        assertThat(w.tryAcquire(10, W, 5)).isFalse();
        assertThat(w.reached(10, W, 5)).isTrue();
    }

    @Test
    void aRefusedEventIsNotCounted() {
        SlidingWindow w = new SlidingWindow(0);
        w.tryAcquire(0, W, 1);
        for (int i = 0; i < 100; i++) {
            w.tryAcquire(1, W, 1);
        }
        assertThat(w.estimate(1, W)).isEqualTo(1.0);
    }

    @Test
    void thePreviousWindowFadesAsTheWindowSlides() {
        SlidingWindow w = new SlidingWindow(0);
        for (int i = 0; i < 10; i++) {
            w.add(0, W);
        }
        // A quarter into the next window, three quarters of the last one still count.
        assertThat(w.estimate(W + W / 4, W)).isEqualTo(7.5);
        assertThat(w.tryAcquire(W + W / 4, W, 10)).isTrue();
        assertThat(w.tryAcquire(W + W / 4, W, 10)).isTrue();
        assertThat(w.tryAcquire(W + W / 4, W, 10)).isFalse();
        // Once a whole window has passed since the burst, it no longer counts at all.
        assertThat(w.estimate(2 * W, W)).isEqualTo(2.0);
        assertThat(w.estimate(5 * W, W)).isZero();
    }
}
