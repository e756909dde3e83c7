package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Slots in all and per destination, and the order in which what waits is woken. */
class DestinationSlotsTest {
    private final DestinationSlots<String> slots = new DestinationSlots<>(new DeliveryLimits(3, 2));
    private final List<String> woken = new ArrayList<>();

    @Test
    void keepsToThePerDestinationLimit() {
        assertThat(slots.tryTake("a.test")).isTrue();
        assertThat(slots.tryTake("a.test")).isTrue();
        assertThat(slots.tryTake("a.test")).as("two per destination").isFalse();
        assertThat(slots.tryTake("b.test")).isTrue();
        assertThat(slots.active()).isEqualTo(3);
    }

    @Test
    void keepsToTheOverallLimit() {
        slots.tryTake("a.test");
        slots.tryTake("b.test");
        slots.tryTake("c.test");
        assertThat(slots.tryTake("d.test")).as("three in all").isFalse();
        slots.release("b.test");
        assertThat(slots.tryTake("d.test")).isTrue();
    }

    @Test
    void wakesWhatWaitsInTheOrderItCameWhenASlotFrees() {
        slots.tryTake("a.test");
        slots.tryTake("a.test");
        slots.await("a.test", "first");
        slots.await("a.test", "second");
        slots.await("a.test", "first"); // asking twice does not queue twice
        assertThat(slots.waiting().contains("first")).isTrue();

        slots.wake(this::retry);
        assertThat(woken).as("nothing is free yet").isEmpty();

        slots.release("a.test");
        slots.wake(this::retry);
        assertThat(woken).containsExactly("first");
        assertThat(slots.waiting().contains("first")).isFalse();
        assertThat(slots.waiting().contains("second")).isTrue();
    }

    @Test
    void wakesDestinationsInTheOrderTheyFilledUp() {
        DestinationSlots<String> one = new DestinationSlots<>(new DeliveryLimits(1, 1));
        one.tryTake("x.test");
        one.await("b.test", "for b");
        one.await("a.test", "for a");
        one.release("x.test");

        one.wake(item -> {
            woken.add(item);
            one.tryTake(item.equals("for b") ? "b.test" : "a.test");
        });

        assertThat(woken).as("one slot: b.test filled up first").containsExactly("for b");
        assertThat(one.waiting().contains("for a")).isTrue();
    }

    @Test
    void aGateLowersTheLimitAndHoldsBackWhatIsNotReady() {
        boolean[] ready = {true};
        DestinationSlots<String> gated = new DestinationSlots<>(new DeliveryLimits(10, 5), new DestinationSlots.Gate() {
            @Override
            public int limit(String destination) {
                return destination.equals("a.test") ? 1 : 9; // above the cap of 5: the cap holds
            }

            @Override
            public boolean ready(String destination) {
                return ready[0];
            }
        });
        assertThat(gated.tryTake("a.test")).isTrue();
        assertThat(gated.tryTake("a.test")).as("the gate's limit of 1").isFalse();
        for (int i = 0; i < 5; i++) {
            assertThat(gated.tryTake("b.test")).isTrue();
        }
        assertThat(gated.tryTake("b.test")).as("the cap of 5").isFalse();
        ready[0] = false;
        assertThat(gated.tryTake("c.test")).as("not ready").isFalse();
    }

    @Test
    void drainsWhatWaitsForOneDestinationWhetherSlotsAreFreeOrNot() {
        slots.tryTake("a.test");
        slots.tryTake("a.test");
        slots.await("a.test", "first");
        slots.await("b.test", "other");
        slots.await("a.test", "second");

        slots.drain("a.test", woken::add);

        assertThat(woken).containsExactly("first", "second");
        assertThat(slots.waiting().contains("first")).isFalse();
        assertThat(slots.waiting().contains("other")).isTrue();
    }

    /** What the queue does with a woken message: takes its slot. */
    private void retry(String item) {
        woken.add(item);
        slots.tryTake("a.test");
    }
}
