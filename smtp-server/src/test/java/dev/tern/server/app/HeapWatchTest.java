package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Set;
import org.junit.jupiter.api.Test;

/** New mail is refused while the heap after a collection is above 85% of its bound, taken again below 75%. */
class HeapWatchTest {

    @Test
    void refusesAboveTheHighMarkUntilBelowTheLowOne() {
        HeapWatch heap = new HeapWatch(1000, Set.of());

        heap.afterCollection(850);
        assertThat(heap.full()).as("at 85%").isFalse();
        heap.afterCollection(851);
        assertThat(heap.full()).as("above 85%").isTrue();
        heap.afterCollection(800);
        assertThat(heap.full()).as("between the marks, still full").isTrue();
        heap.afterCollection(750);
        assertThat(heap.full()).as("at 75%").isTrue();
        heap.afterCollection(749);
        assertThat(heap.full()).as("below 75%").isFalse();
        heap.afterCollection(800);
        assertThat(heap.full()).as("between the marks, still taking mail").isFalse();
    }

    @Test
    void knowsNoBoundWithoutOne() {
        HeapWatch heap = new HeapWatch(Long.MAX_VALUE, Set.of());

        heap.afterCollection(Long.MAX_VALUE - 1);

        assertThat(heap.full()).isFalse();
    }
}
