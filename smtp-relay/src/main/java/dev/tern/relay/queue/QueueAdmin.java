package dev.tern.relay.queue;

import dev.tern.relay.spool.LastAttempt;
import dev.tern.relay.spool.RecipientState;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.queue.QueueId;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletionStage;

/**
 * What the operator may see and do in the queue (Postfix's {@code mailq}, {@code postqueue -f},
 * {@code postsuper -h/-H/-d/-r}, {@code postcat -q}). Every operation runs on the queue's own thread and
 * answers with a stage, so a caller on an event loop never waits; content is read off that thread. An
 * unknown id answers {@link Result.NotFound}, an operation the message's state does not allow
 * {@link Result.Refused}.
 */
public interface QueueAdmin {
    /** The largest page {@link #list} returns. */
    int MAX_PAGE = 1000;

    /**
     * The most recipients one page lists: a page ends before the message that would pass it (its first message is
     * always listed), so that an answer stays small however many recipients the messages have; the page's
     * {@code total} says there are more.
     */
    int MAX_PAGE_RECIPIENTS = 2_000;
    /** How much of a message {@link #show} reads to find its header section. */
    int MAX_HEADER_BYTES = 64 * 1024;

    /** The messages {@code query} picks, one page of them, with how many it picks in all. */
    CompletionStage<Page> list(Query query);

    /** The message, its envelope, header section and recipients' last outcomes. */
    CompletionStage<Result<Detail>> show(QueueId id);

    /** Holds the message: nothing is attempted until it is released; the spool remembers it. */
    CompletionStage<Result<Action>> hold(QueueId id);

    CompletionStage<Result<Action>> release(QueueId id);

    /** Removes the message with no report to anyone, for good: a restart does not bring it back. */
    CompletionStage<Result<Action>> delete(QueueId id);

    /** Fails every unfinished recipient now and sends the sender the failure report. */
    CompletionStage<Result<Action>> bounce(QueueId id);

    /** Makes the message's deferred recipients due now (refused while it is held). */
    CompletionStage<Result<Action>> flush(QueueId id);

    /** Makes every unfinished recipient due now, routed afresh (refused while it is held). */
    CompletionStage<Result<Action>> requeue(QueueId id);

    /** {@link #flush} for every message not held, or only for recipients in {@code domain} when not null. */
    CompletionStage<Action> flushAll(String domain);

    /** {@link #requeue} for every message not held. */
    CompletionStage<Action> requeueAll();

    /**
     * Hands every message over to another MTA through {@code target} ({@link QueueDrain}), named {@code
     * name} in its progress; from now on this queue starts no attempt of its own until a restart. Refused
     * when a drain was started before.
     */
    CompletionStage<Result<QueueDrain.Progress>> drain(String name, Deliverer target);

    /** Why a second drain is refused. */
    String DRAIN_STARTED = "a drain was started already: see its progress";

    /** The progress of the drain started on this queue, or empty; any thread. */
    java.util.Optional<QueueDrain.Progress> drainProgress();

    /**
     * A message's state as the operator sees it: held by the operator; active (an attempt under way or
     * a recipient due now); deferred (every unfinished recipient waits for its next attempt).
     */
    enum State {
        ACTIVE,
        DEFERRED,
        HELD;

        public String key() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    enum Order {
        NEWEST,
        OLDEST
    }

    /**
     * Which messages to list. Text filters are case-insensitive and null when not set.
     *
     * @param sender part of the reverse-path ({@code <>} matches the null reverse-path)
     * @param recipient part of any recipient's address
     * @param domain a recipient's domain, whole
     * @param state only messages in this state, or null for all
     * @param limit page size, 1 to {@link #MAX_PAGE}
     * @param offset how many picked messages to skip
     */
    record Query(String sender, String recipient, String domain, State state, int limit, int offset, Order order) {
        public Query {
            Objects.requireNonNull(order, "order");
            if (limit < 1 || limit > MAX_PAGE) {
                throw new IllegalArgumentException("limit must be 1.." + MAX_PAGE);
            }
            if (offset < 0) {
                throw new IllegalArgumentException("offset must not be negative");
            }
        }

        public static Query all() {
            return new Query(null, null, null, null, 100, 0, Order.OLDEST);
        }
    }

    /** One page: {@code total} messages matched, {@code entries} from {@code offset} on. */
    record Page(int total, int offset, int limit, List<Entry> entries) {
        public Page {
            entries = List.copyOf(entries);
        }
    }

    /**
     * A message in the queue.
     *
     * @param sender the reverse-path's address, empty for the null reverse-path
     * @param size the message's size in octets as spooled
     */
    record Entry(QueueId id, String sender, long size, long arrivalMillis, State state, List<Recipient> recipients) {
        public Entry {
            recipients = List.copyOf(recipients);
        }
    }

    /**
     * A recipient and where it stands.
     *
     * @param state pending (never tried), deferred, delivered or failed
     * @param inAttempt an attempt for it is under way
     * @param nextAttemptMillis when a deferred recipient is tried again; 0 otherwise
     * @param last what its last attempt came to; null while pending
     */
    record Recipient(
            String address,
            RecipientState.Kind state,
            boolean inAttempt,
            int attempts,
            long nextAttemptMillis,
            LastAttempt last) {}

    /**
     * A message in full: its entry, its MAIL parameters and its header section as spooled.
     *
     * @param headers the header section (at most {@link #MAX_HEADER_BYTES}), null when it could not be read
     * @param headersTruncated the header section goes on past what was read
     * @param tlsOptional its header said {@code TLS-Required: No} (RFC 8689 5)
     */
    record Detail(
            Entry entry, MailParameters parameters, String headers, boolean headersTruncated, boolean tlsOptional) {}

    /**
     * What an operation did.
     *
     * @param outcome in a word or two: {@code held}, {@code already held}, {@code deleted}, ...
     * @param messages how many messages it changed
     * @param recipients how many recipients it changed (made due, returned)
     */
    record Action(String outcome, int messages, int recipients) {}

    /** The answer about one message: found (and done), not in the queue, or not allowed in its state. */
    sealed interface Result<T> {
        record Found<T>(T value) implements Result<T> {}

        record NotFound<T>(QueueId id) implements Result<T> {}

        record Refused<T>(String reason) implements Result<T> {}
    }
}
