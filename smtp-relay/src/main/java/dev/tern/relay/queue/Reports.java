package dev.tern.relay.queue;

import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.RecipientState.Notice;
import dev.tern.relay.spool.Spool;
import dev.tern.smtp.RcptParameters.Notify;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which delivery status notifications a message's sender is due, and sending them (RFC 3464): failures
 * once every recipient is final; successes as soon as they happen; the one "still trying" warning. The
 * {@link Bouncer} applies each recipient's NOTIFY; a report sent before the message is finished is marked
 * on its recipients in the spool, so a restart never sends it twice. Reports about one message go one
 * after another, so their marks, and the message's DONE record, reach the spool in order. Called on the
 * queue's thread; {@code queue} brings work back to it.
 */
final class Reports {
    private static final CompletableFuture<Void> NONE = CompletableFuture.completedFuture(null);

    private final Spool spool;
    private final Notifier notifier;
    private final Bouncer bouncer;
    private final RetryPolicy retry;
    private final Executor queue;

    Reports(Spool spool, Notifier notifier, Bouncer bouncer, RetryPolicy retry, Executor queue) {
        this.spool = spool;
        this.notifier = notifier;
        this.bouncer = bouncer;
        this.retry = retry;
        this.queue = queue;
    }

    /**
     * After an attempt that left the message unfinished: new failures once none of its attempts is under
     * way any more (one report for the pass, as Postfix reports after each delivery pass, not when the last
     * deferred recipient is done days later), new successes, and the delay warning when due.
     */
    CompletionStage<Void> afterAttempt(QueuedMessage m, long now) {
        CompletionStage<Void> sent = NONE;
        if (!m.anyInFlight() && !failuresDue(m).isEmpty()) {
            sent = then(m, () -> failures(m));
        }
        if (!successesDue(m).isEmpty()) {
            sent = then(m, () -> successes(m));
        }
        if (!m.warned && retry.delayWarningDue(m.arrivalMillis(), now)) {
            // RFC 3461 5.2.5: "MAY" issue one; once per message, even across a restart. Only once a recipient
            // that would be told of it is deferred: one still in its first attempt at another destination
            // when this attempt ends is not, and its deferral later must still bring the warning.
            if (!delayed(m).isEmpty()) {
                m.warned = true;
                sent = then(m, () -> send(m, Bouncer.Kind.DELAY, delayed(m), Notice.DELAY));
            }
        }
        return sent;
    }

    /** Taken in again after a restart: failures and successes the previous run did not get to report. */
    CompletionStage<Void> admitted(QueuedMessage m) {
        CompletionStage<Void> sent = NONE;
        if (!failuresDue(m).isEmpty()) {
            sent = then(m, () -> failures(m));
        }
        return successesDue(m).isEmpty() ? sent : then(m, () -> successes(m));
    }

    /** Every recipient is final: the failures and successes still due; completes once they are queued. */
    CompletionStage<Void> finalReports(QueuedMessage m) {
        then(m, () -> failures(m));
        return then(m, () -> successes(m));
    }

    private CompletionStage<Void> failures(QueuedMessage m) {
        return send(m, Bouncer.Kind.FAILURE, failuresDue(m), Notice.FAILURE);
    }

    /** Failed recipients not reported yet (the DSN builder leaves out those whose NOTIFY asks for none). */
    private static List<Integer> failuresDue(QueuedMessage m) {
        return indexes(
                m,
                i -> m.states[i].kind() == RecipientState.Kind.FAILED
                        && !m.states[i].notified().contains(Notice.FAILURE));
    }

    private CompletionStage<Void> successes(QueuedMessage m) {
        return send(m, Bouncer.Kind.SUCCESS, successesDue(m), Notice.SUCCESS);
    }

    /**
     * Delivered recipients that asked for success reports (RFC 3461 4.1) and have not had one, unless the
     * next hop announced DSN: it was handed NOTIFY=SUCCESS and reports delivery itself (RFC 3461 5.2.1).
     */
    private static List<Integer> successesDue(QueuedMessage m) {
        return indexes(m, i -> {
            RecipientState s = m.states[i];
            return s.kind() == RecipientState.Kind.DELIVERED
                    && !s.notified().contains(Notice.SUCCESS)
                    && !s.last().nextHopDsn()
                    && m.envelope.recipients().get(i).parameters().notifyOn().contains(Notify.SUCCESS);
        });
    }

    /** Deferred recipients that are told of a delay: RFC 3461 4.1, no NOTIFY means FAILURE and DELAY. */
    private static List<Integer> delayed(QueuedMessage m) {
        return indexes(m, i -> {
            Set<Notify> asked = m.envelope.recipients().get(i).parameters().notifyOn();
            return m.states[i].kind() == RecipientState.Kind.DEFERRED
                    && (asked.isEmpty() || asked.contains(Notify.DELAY));
        });
    }

    private static List<Integer> indexes(QueuedMessage m, Predicate<Integer> which) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < m.recipients(); i++) {
            if (which.test(i)) {
                out.add(i);
            }
        }
        return out;
    }

    /**
     * Asks for one report about {@code indexes}; with {@code mark}, notes it on them at once (in memory,
     * so this run never sends it twice) and in the spool once the report is on disk.
     */
    private CompletionStage<Void> send(QueuedMessage m, Bouncer.Kind kind, List<Integer> indexes, Notice mark) {
        if (indexes.isEmpty() || m.envelope.reversePath().isNull()) {
            // RFC 5321 4.5.5 and 6.1: nothing is ever reported to the null reverse-path.
            return NONE;
        }
        List<Bouncer.Recipient> recipients = new ArrayList<>(indexes.size());
        for (int i : indexes) {
            recipients.add(new Bouncer.Recipient(i, m.states[i].last()));
            if (mark != null) {
                m.states[i] = m.states[i].with(mark);
            }
        }
        Instant until = kind == Bouncer.Kind.DELAY ? retry.retryUntilInstant(m.arrivalMillis()) : null;
        Bouncer.Report report =
                new Bouncer.Report(kind, m.id, m.envelope, Instant.ofEpochMilli(m.arrivalMillis()), recipients, until);
        CompletionStage<Void> queued = notifier.send(m.spooled(), content -> bouncer.report(report, content));
        if (mark == null) {
            return queued;
        }
        return queued.thenRunAsync(() -> indexes.forEach(i -> m.record(spool, i)), queue);
    }

    /** Runs {@code step} on the queue's thread once the message's earlier reports are queued. */
    private CompletionStage<Void> then(QueuedMessage m, Supplier<CompletionStage<Void>> step) {
        CompletionStage<Void> next = m.reports.toCompletableFuture().isDone()
                ? step.get()
                : m.reports.handleAsync((v, e) -> null, queue).thenCompose(v -> step.get());
        // A report that could not be sent must not hold back the next, nor the DONE record.
        m.reports = next.exceptionally(e -> null);
        return m.reports;
    }
}
