package dev.tern.relay.queue;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpText;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens after an attempt: each recipient's new state, decided by the {@link RetryPolicy} and
 * recorded in the spool as typed values; the reports the sender is due ({@link Reports}, RFC 3464); and,
 * once every recipient is final, the message's DONE record. Called on the queue's thread.
 */
final class Completion {
    private static final Logger log = LoggerFactory.getLogger(Completion.class);
    /** RFC 3463 3.5: delivery time expired. */
    private static final EnhancedStatus EXPIRED = EnhancedStatus.parse("4.4.7");
    /** RFC 3463 3.1: other undefined status; the operator returned the message. */
    private static final EnhancedStatus OPERATOR = EnhancedStatus.parse("5.0.0");

    private static final String RETURNED = "returned to the sender by the operator of Tern";
    /** Each state's word in the log line of a recipient's outcome, by {@link RecipientState.Kind#ordinal()}. */
    private static final String[] STATUS = Arrays.stream(RecipientState.Kind.values())
            .map(kind -> kind.name().toLowerCase(Locale.ROOT))
            .toArray(String[]::new);

    private final Spool spool;
    private final RetryPolicy retry;
    private final RandomGenerator random;
    private final Reports reports;

    Completion(Spool spool, RetryPolicy retry, RandomGenerator random, Reports reports) {
        this.spool = spool;
        this.retry = retry;
        this.random = random;
        this.reports = reports;
    }

    /**
     * Records the outcomes of one attempt for {@code indexes}; a recipient the transport gave no outcome
     * for (it failed as a whole) is temporarily failed with {@code failure}.
     */
    void record(
            QueuedMessage m,
            String destination,
            List<Integer> indexes,
            List<RecipientOutcome> outcomes,
            Throwable failure,
            long now) {
        Map<Integer, RecipientOutcome> byIndex = new HashMap<>();
        outcomes.forEach(o -> byIndex.put(o.recipientIndex(), o));
        int[] tally = new int[RecipientState.Kind.values().length];
        String last = "";
        // One spread for the whole attempt: recipients deferred together fall due together.
        double jitter = random.nextDouble();
        for (int i : indexes) {
            m.inFlight(i, false);
            RecipientOutcome o = byIndex.get(i);
            if (o == null) {
                String why = failure == null ? "no outcome from the transport" : failure.toString();
                o = RecipientOutcome.temporary(i, "4.3.0", "local error: " + why, null);
            }
            RecipientState state = stateAfter(m.states[i], o, m.arrivalMillis(), now, jitter);
            m.states[i] = state;
            tally[state.kind().ordinal()]++;
            // One line per recipient, as Postfix's "to=<...>, status=...": what became of an address is found
            // by the address.
            log.info(
                    "id={} to=<{}> status={} relay={}: {}",
                    m.id,
                    SmtpText.printable(m.envelope.recipients().get(i).mailbox().address(), false),
                    STATUS[state.kind().ordinal()],
                    o.remoteMta() == null ? "none" : o.remoteMta(),
                    // The reply itself (immutable, its text cleaned by the decoder), written out on the log
                    // writer's thread, not on the queue's.
                    o.remoteReply() != null ? o.remoteReply() : o.diagnostic());
            if (state.kind() != RecipientState.Kind.DELIVERED) {
                last = o.diagnostic(); // the line's last= says why some were not delivered, not a 250
            }
            m.record(spool, i);
        }
        int delivered = tally[RecipientState.Kind.DELIVERED.ordinal()];
        log.info(
                "id={} domain={} rcpts={} delivered={} deferred={} failed={}{}",
                m.id,
                destination,
                indexes.size(),
                delivered,
                tally[RecipientState.Kind.DEFERRED.ordinal()],
                tally[RecipientState.Kind.FAILED.ordinal()],
                delivered == indexes.size() ? "" : " last=\"" + last + "\"");
    }

    /**
     * The operator returned {@code m}: every unfinished recipient not in an attempt fails now with
     * {@code 5.0.0} and our reason, keeping its attempts; completes once the states are on disk.
     */
    CompletionStage<Void> returnToSender(QueuedMessage m, long now) {
        List<CompletableFuture<Void>> recorded = new ArrayList<>();
        for (int i = 0; i < m.recipients(); i++) {
            RecipientState s = m.states[i];
            if (m.inFlight(i) || s.isFinal()) {
                continue;
            }
            String why = s.last() == null
                    ? RETURNED
                    : RETURNED + "; last error: " + s.last().diagnostic();
            m.states[i] = RecipientState.failed(s.attempts(), LastAttempt.local(now, OPERATOR, why))
                    .notifiedAs(s);
            recorded.add(m.record(spool, i).toCompletableFuture());
        }
        if (!recorded.isEmpty()) {
            log.info("id={} returned to the sender by the operator: rcpts={}", m.id, recorded.size());
        }
        return CompletableFuture.allOf(recorded.toArray(CompletableFuture[]::new));
    }

    /** The state {@code outcome} leads to from {@code before}, as the policy says; reports sent stay marked. */
    RecipientState stateAfter(
            RecipientState before, RecipientOutcome outcome, long arrivalMillis, long now, double jitter) {
        int attempts = before.attempts() + 1;
        RetryPolicy.Next next = retry.after(outcome.status(), arrivalMillis, now, attempts, jitter);
        LastAttempt last = new LastAttempt(
                now,
                fitting(outcome.enhancedStatus(), next.kind()),
                outcome.remoteReply(),
                outcome.remoteMta(),
                outcome.diagnostic(),
                outcome.remoteDsn());
        if (next.expired()) {
            // The remote reply stays the last one; the status says why we stopped.
            last = last.restated(EXPIRED, expired(arrivalMillis, now, outcome.diagnostic()));
        }
        return new RecipientState(next.kind(), next.nextAttemptMillis(), attempts, last, before.notified());
    }

    /**
     * A drain's peer did not take recipient {@code i} ({@code outcome}: refused, or deferred at every try). It
     * stays in this queue, deferred as it was (due now if it had never been tried), with the peer's answer in
     * its last attempt, so that the queue says why it is left; a drain is no delivery attempt, so the count of
     * attempts stays. Completes once the state is on disk.
     */
    CompletionStage<Void> leftByDrain(QueuedMessage m, int i, RecipientOutcome outcome, long now) {
        RecipientState before = m.states[i];
        // Our own words, not the peer's reply: the peer is a node of this deployment, which a report to the sender
        // must not name as a Remote-MTA. Deferred, so its status is of class 4 (RFC 3463), whatever the peer said.
        EnhancedStatus said = outcome.enhancedStatus();
        LastAttempt last = LastAttempt.local(
                now,
                new EnhancedStatus(4, said.subject(), said.detail()),
                "not taken by the drain: " + SmtpText.printable(outcome.said(), false));
        long next = before.kind() == RecipientState.Kind.DEFERRED ? before.nextAttemptMillis() : now;
        m.states[i] =
                new RecipientState(RecipientState.Kind.DEFERRED, next, before.attempts(), last, before.notified());
        return m.record(spool, i);
    }

    /**
     * The state of a recipient whose lifetime ended with no attempt (its destination suspended, {@code why}): its
     * last real attempt, when it had one, stays what a report names (its time, server and reply, RFC 3464
     * 2.3.7), restated as expired; one never tried names the suspension.
     */
    RecipientState expiredUnattempted(RecipientState before, String why, long arrivalMillis, long now) {
        LastAttempt was = before.last();
        LastAttempt last = was != null
                ? was.restated(EXPIRED, expired(arrivalMillis, now, was.diagnostic()))
                : LastAttempt.local(now, EXPIRED, expired(arrivalMillis, now, why));
        return new RecipientState(RecipientState.Kind.FAILED, 0, before.attempts(), last, before.notified());
    }

    private static String expired(long arrivalMillis, long now, String lastError) {
        return "delivery time expired after " + elapsed(now - arrivalMillis) + "; last error: " + lastError;
    }

    /** Whole hours, or minutes under an hour, or seconds under a minute: 120h, 6m, 45s. */
    static String elapsed(long millis) {
        Duration d = Duration.ofMillis(millis);
        if (d.toHours() > 0) {
            return d.toHours() + "h";
        }
        return d.toMinutes() > 0 ? d.toMinutes() + "m" : d.toSeconds() + "s";
    }

    /** A transport's status whose class contradicts the outcome is replaced by the class alone (RFC 3463 X.0.0). */
    private static EnhancedStatus fitting(EnhancedStatus status, RecipientState.Kind kind) {
        boolean delivered = kind == RecipientState.Kind.DELIVERED;
        if (delivered == (status.statusClass() == 2)) {
            return status;
        }
        return new EnhancedStatus(delivered ? 2 : kind == RecipientState.Kind.DEFERRED ? 4 : 5, 0, 0);
    }

    /** After an attempt that left recipients to do: the reports due meanwhile (successes, the warning). */
    CompletionStage<Void> afterAttempt(QueuedMessage m, long now) {
        return reports.afterAttempt(m, now);
    }

    /** A message taken in again after a restart: the reports its previous run did not get to send. */
    CompletionStage<Void> admitted(QueuedMessage m) {
        return reports.admitted(m);
    }

    /** Every recipient is final: the last reports; the stage completes once they are queued. */
    CompletionStage<Void> finalReports(QueuedMessage m) {
        return reports.finalReports(m);
    }

    /**
     * The message is finished (called once its final reports are queued): it leaves the spool's pending
     * set, and its segment may go.
     */
    void recordDone(QueuedMessage m) {
        spool.recordDone(m.id).whenComplete((v, e) -> {
            if (e != null) {
                log.warn(
                        "id={} completion not on disk yet, the spool writes it again once it can: {}",
                        m.id,
                        e.toString());
            }
        });
        log.info("id={} done", m.id);
    }
}
