package dev.tern.relay.queue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class QueuedMessageTest {

    private static SpooledMessage spooled(int recipients, boolean held) {
        List<RcptTo> rcpts = new ArrayList<>();
        for (int i = 0; i < recipients; i++) {
            rcpts.add(new RcptTo(new Mailbox("r" + i, "example.test"), RcptParameters.NONE));
        }
        Envelope envelope =
                new Envelope(new ReversePath(new Mailbox("from", "example.test")), rcpts, MailParameters.NONE);
        return new SpooledMessage(
                new QueueId("Q1"),
                1_700_000_000_000L,
                envelope,
                Collections.nCopies(recipients, RecipientState.PENDING),
                7,
                4096,
                1234,
                held);
    }

    /**
     * A destination's recipients still waiting for their own retry go along when one of them falls due: one
     * transaction, one copy, as Postfix retries a queue file whole. Another destination's stay where they are.
     */
    @Test
    void aDueRecipientTakesItsDestinationsWaitingRecipientsAlong() {
        List<RcptTo> rcpts = List.of(
                new RcptTo(new Mailbox("r0", "b.test"), RcptParameters.NONE),
                new RcptTo(new Mailbox("r1", "c.test"), RcptParameters.NONE),
                new RcptTo(new Mailbox("r2", "b.test"), RcptParameters.NONE),
                new RcptTo(new Mailbox("r3", "b.test"), RcptParameters.NONE));
        long now = 1_700_000_600_000L;
        LastAttempt last = LastAttempt.local(now - 60_000, EnhancedStatus.parse("4.0.0"), "busy");
        RecipientState due = RecipientState.deferred(now - 1, 1, last);
        RecipientState later = RecipientState.deferred(now + 30_000, 1, last);
        QueuedMessage m = new QueuedMessage(new SpooledMessage(
                new QueueId("Q1"),
                1_700_000_000_000L,
                new Envelope(new ReversePath(new Mailbox("from", "a.test")), rcpts, MailParameters.NONE),
                List.of(
                        later,
                        later,
                        due,
                        RecipientState.delivered(
                                1, LastAttempt.local(now - 60_000, EnhancedStatus.parse("2.0.0"), "delivered"))),
                7,
                4096,
                1234,
                false));

        assertThat(Admission.dueByDestination(m, now)).containsExactly(java.util.Map.entry("b.test", List.of(0, 2)));
        assertThat(Admission.dueByDestination(m, now - 2))
                .as("nothing due, nothing goes")
                .isEmpty();
    }

    @Test
    void eachRecipientHasItsOwnAttemptFlagBeyondSixtyFour() {
        QueuedMessage m = new QueuedMessage(spooled(70, false));
        int[] underWay = {0, 5, 63, 64, 69};
        for (int i : underWay) {
            m.inFlight(i, true);
        }

        assertThat(IntStream.range(0, 70).filter(m::inFlight).toArray()).containsExactly(underWay);
        assertThat(m.anyInFlight()).isTrue();
        assertThat(m.due(63, 0)).isFalse();
        assertThat(m.due(62, 0)).isTrue();

        m.inFlight(63, false);
        m.inFlight(0, false);
        m.inFlight(5, false);
        assertThat(m.anyInFlight()).as("recipients 64 and 69 still under way").isTrue();
        m.inFlight(64, false);
        m.inFlight(69, false);
        assertThat(m.anyInFlight()).isFalse();
        assertThat(IntStream.range(0, 70).filter(m::inFlight).toArray()).isEmpty();
    }

    @Test
    void aMessageOfFewRecipientsKeepsItsFlagsInBits() {
        QueuedMessage m = new QueuedMessage(spooled(1, false));
        assertThat(m.anyInFlight()).isFalse();
        m.inFlight(0, true);
        assertThat(m.inFlight(0)).isTrue();
        assertThat(m.anyInFlight()).isTrue();
        m.inFlight(0, false);
        assertThat(m.anyInFlight()).isFalse();
    }

    @Test
    void theSpoolsViewIsRebuiltWithTheStatesAsTheyAreNow() {
        SpooledMessage admitted = spooled(2, true);
        QueuedMessage m = new QueuedMessage(admitted);
        RecipientState delivered = RecipientState.delivered(
                1, LastAttempt.local(1_700_000_000_500L, EnhancedStatus.parse("2.0.0"), "maildir"));
        m.states[1] = delivered;
        m.held = false;

        SpooledMessage now = m.spooled();

        assertThat(now.id()).isEqualTo(admitted.id());
        assertThat(now.envelope()).isSameAs(admitted.envelope());
        assertThat(now.arrivalMillis()).isEqualTo(admitted.arrivalMillis());
        assertThat(now.segment()).isEqualTo(7);
        assertThat(now.contentOffset()).isEqualTo(4096);
        assertThat(now.contentLength()).isEqualTo(1234);
        assertThat(m.contentLength()).isEqualTo(1234);
        assertThat(now.states()).containsExactly(RecipientState.PENDING, delivered);
        assertThat(now.held()).isFalse();
    }
}
