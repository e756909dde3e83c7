package dev.tern.relay.spool;

import static dev.tern.relay.spool.SpoolFixtures.envelope;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.queue.QueueId;
import org.junit.jupiter.api.Test;

/** The spool's memory of unfinished messages, as replay and the writer fill it. */
class SpoolIndexTest {

    private static final QueueId ID = new QueueId("Q1");

    @Test
    void aMessageRecordedTwiceKeepsItsFirstRecordAndHoldsOnlyThatRecordsSegment() {
        SpoolIndex index = new SpoolIndex();
        Envelope first = envelope("a@example.com", "b@example.net");
        Envelope second = envelope("c@example.com", "d@example.net", "e@example.net");
        index.addSegment(1);
        index.addSegment(2);

        assertThat(index.addMessage(ID, 10L, first, 1, 100, 5)).isTrue();
        assertThat(index.addMessage(ID, 20L, second, 2, 200, 6))
                .as("the id is known already")
                .isFalse();

        SpooledMessage kept = index.find(ID).orElseThrow();
        assertThat(kept.envelope()).isEqualTo(first);
        assertThat(kept.arrivalMillis()).isEqualTo(10L);
        assertThat(kept.segment()).isEqualTo(1);
        assertThat(kept.contentOffset()).isEqualTo(100);
        assertThat(index.size()).isEqualTo(1);
        // Only segment 1 holds an unfinished message: segment 2 may go once it is not the active one.
        assertThat(index.takeFinishedSegments(3)).isEmpty();
        assertThat(index.applyDone(ID)).isTrue();
        assertThat(index.takeFinishedSegments(3)).containsExactly(1L, 2L);
    }
}
