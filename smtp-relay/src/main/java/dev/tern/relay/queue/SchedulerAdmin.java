package dev.tern.relay.queue;

import dev.tern.relay.queue.QueueAdmin.Result.Found;
import dev.tern.relay.queue.QueueAdmin.Result.NotFound;
import dev.tern.relay.queue.QueueAdmin.Result.Refused;
import dev.tern.relay.spool.RecipientState;
import dev.tern.relay.spool.Spool;
import dev.tern.relay.spool.SpooledMessage;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.queue.QueueId;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.IntPredicate;

/**
 * The {@link QueueAdmin} of a {@link DeliveryScheduler}: each operation is one task on the queue's
 * thread, where the queue's state lives; the header section is read on the reader executor.
 */
final class SchedulerAdmin implements QueueAdmin {
    private static final Comparator<QueuedMessage> OLDEST_FIRST =
            Comparator.comparingLong(QueuedMessage::arrivalMillis).thenComparing(m -> m.id.value());

    private final DeliveryScheduler scheduler;
    private final Spool spool;
    private final Executor reader;
    private final Clock clock;

    SchedulerAdmin(DeliveryScheduler scheduler, Spool spool, Executor reader, Clock clock) {
        this.scheduler = scheduler;
        this.spool = spool;
        this.reader = reader;
        this.clock = clock;
    }

    @Override
    public CompletionStage<Page> list(Query query) {
        return scheduler.call(() -> {
            long now = clock.millis();
            List<QueuedMessage> picked = new ArrayList<>();
            for (QueuedMessage m : scheduler.messages()) {
                if (!m.completing && matches(m, query, now)) {
                    picked.add(m);
                }
            }
            picked.sort(query.order() == Order.OLDEST ? OLDEST_FIRST : OLDEST_FIRST.reversed());
            int from = Math.min(query.offset(), picked.size());
            int to = Math.min(picked.size(), from + query.limit());
            List<Entry> entries = new ArrayList<>(to - from);
            int recipients = 0;
            for (QueuedMessage m : picked.subList(from, to)) {
                if (!entries.isEmpty() && recipients + m.recipients() > MAX_PAGE_RECIPIENTS) {
                    break;
                }
                entries.add(entry(m, now));
                recipients += m.recipients();
            }
            return CompletableFuture.completedFuture(new Page(picked.size(), query.offset(), query.limit(), entries));
        });
    }

    @Override
    public CompletionStage<Result<Detail>> show(QueueId id) {
        return scheduler.call(() -> {
            QueuedMessage m = scheduler.message(id);
            if (m == null) {
                return CompletableFuture.completedFuture(new NotFound<>(id));
            }
            Entry entry = entry(m, clock.millis());
            SpooledMessage spooled = m.spooled();
            return CompletableFuture.supplyAsync(() -> HeaderSection.read(spool, spooled, MAX_HEADER_BYTES), reader)
                    .thenApply(h -> new Found<>(new Detail(
                            entry,
                            spooled.envelope().parameters(),
                            h.text(),
                            h.truncated(),
                            spooled.envelope().tlsOptional())));
        });
    }

    @Override
    public CompletionStage<Result<Action>> hold(QueueId id) {
        return onMessage(
                id,
                m -> m.held
                        ? done(new Action("already held", 0, 0))
                        : scheduler.hold(m, true).thenApply(v -> new Found<>(new Action("held", 1, 0))));
    }

    @Override
    public CompletionStage<Result<Action>> release(QueueId id) {
        return onMessage(
                id,
                m -> !m.held
                        ? done(new Action("not held", 0, 0))
                        : scheduler.hold(m, false).thenApply(v -> new Found<>(new Action("released", 1, 0))));
    }

    @Override
    public CompletionStage<Result<Action>> delete(QueueId id) {
        return onMessage(id, m -> scheduler.delete(m).thenApply(v -> new Found<>(new Action("deleted", 1, 0))));
    }

    @Override
    public CompletionStage<Result<Action>> bounce(QueueId id) {
        return onMessage(id, m -> {
            int unfinished = m.unfinished();
            return scheduler
                    .returnToSender(m)
                    .thenApply(v -> new Found<>(new Action("returned to the sender", 1, unfinished)));
        });
    }

    @Override
    public CompletionStage<Result<Action>> flush(QueueId id) {
        return onMessage(id, m -> m.held ? held() : done(due("flushed", m, deferred(m, null))));
    }

    @Override
    public CompletionStage<Result<Action>> requeue(QueueId id) {
        return onMessage(id, m -> m.held ? held() : done(due("requeued", m, i -> true)));
    }

    @Override
    public CompletionStage<Action> flushAll(String domain) {
        String key = domain == null ? null : domain.toLowerCase(Locale.ROOT);
        return scheduler.call(() -> CompletableFuture.completedFuture(dueAll("flushed", m -> deferred(m, key))));
    }

    @Override
    public CompletionStage<Action> requeueAll() {
        return scheduler.call(() -> CompletableFuture.completedFuture(dueAll("requeued", m -> i -> true)));
    }

    @Override
    public CompletionStage<Result<QueueDrain.Progress>> drain(String name, Deliverer target) {
        return scheduler.call(() -> {
            QueueDrain started = scheduler.drain(name, target);
            return CompletableFuture.completedFuture(
                    started == null ? new Refused<>(DRAIN_STARTED) : new Found<>(started.progress()));
        });
    }

    @Override
    public java.util.Optional<QueueDrain.Progress> drainProgress() {
        QueueDrain drain = scheduler.drain();
        return drain == null ? java.util.Optional.empty() : java.util.Optional.of(drain.progress());
    }

    /** Runs {@code action} on the queue's thread with the message, unless it is unknown or finishing. */
    private CompletionStage<Result<Action>> onMessage(
            QueueId id, Function<QueuedMessage, CompletionStage<Result<Action>>> action) {
        return scheduler.call(() -> {
            QueuedMessage m = scheduler.message(id);
            if (m == null) {
                return CompletableFuture.completedFuture(new NotFound<>(id));
            }
            if (m.completing) {
                // Every recipient is final; its reports and DONE record are on their way.
                return CompletableFuture.completedFuture(
                        new Refused<>("the message is finished: its reports are being sent"));
            }
            return action.apply(m);
        });
    }

    private static CompletionStage<Result<Action>> done(Action action) {
        return CompletableFuture.completedFuture(new Found<>(action));
    }

    private static CompletionStage<Result<Action>> held() {
        return CompletableFuture.completedFuture(new Refused<>("the message is held: release it first"));
    }

    private Action due(String outcome, QueuedMessage m, IntPredicate which) {
        int recipients = scheduler.makeDue(m, which);
        return new Action(outcome, recipients > 0 ? 1 : 0, recipients);
    }

    private Action dueAll(String outcome, Function<QueuedMessage, IntPredicate> which) {
        int messages = 0;
        int recipients = 0;
        // A copy: making a message due may start attempts, which never add or remove messages, but be safe.
        for (QueuedMessage m : List.copyOf(scheduler.messages())) {
            if (m.held || m.completing) {
                continue;
            }
            int n = scheduler.makeDue(m, which.apply(m));
            messages += n > 0 ? 1 : 0;
            recipients += n;
        }
        return new Action(outcome, messages, recipients);
    }

    /** The deferred recipients of {@code m}, in {@code domain} (lower case) unless it is null. */
    private static IntPredicate deferred(QueuedMessage m, String domain) {
        return i -> m.states[i].kind() == RecipientState.Kind.DEFERRED
                && (domain == null || m.destination(i).equals(domain));
    }

    private static boolean matches(QueuedMessage m, Query q, long now) {
        if (q.state() != null && state(m, now) != q.state()) {
            return false;
        }
        if (q.sender() != null && !contains(sender(m), q.sender())) {
            return false;
        }
        if (q.recipient() == null && q.domain() == null) {
            return true;
        }
        for (RcptTo rcpt : m.envelope.recipients()) {
            boolean recipient = q.recipient() == null || contains(rcpt.mailbox().address(), q.recipient());
            boolean domain = q.domain() == null
                    || rcpt.mailbox().domainKey().equals(q.domain().toLowerCase(Locale.ROOT));
            if (recipient && domain) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(String text, String part) {
        return text.toLowerCase(Locale.ROOT).contains(part.toLowerCase(Locale.ROOT));
    }

    private static String sender(QueuedMessage m) {
        var path = m.envelope.reversePath();
        return path.isNull() ? "<>" : path.mailbox().address();
    }

    static State state(QueuedMessage m, long now) {
        if (m.held) {
            return State.HELD;
        }
        for (int i = 0; i < m.recipients(); i++) {
            if (m.inFlight(i) || m.due(i, now)) {
                return State.ACTIVE;
            }
        }
        return State.DEFERRED;
    }

    static Entry entry(QueuedMessage m, long now) {
        List<Recipient> recipients = new ArrayList<>(m.recipients());
        List<RcptTo> rcpts = m.envelope.recipients();
        for (int i = 0; i < m.recipients(); i++) {
            RecipientState s = m.states[i];
            recipients.add(new Recipient(
                    rcpts.get(i).mailbox().address(),
                    s.kind(),
                    m.inFlight(i),
                    s.attempts(),
                    s.nextAttemptMillis(),
                    s.last()));
        }
        var path = m.envelope.reversePath();
        return new Entry(
                m.id,
                path.isNull() ? "" : path.mailbox().address(),
                m.contentLength(),
                m.arrivalMillis(),
                state(m, now),
                recipients);
    }
}
