package dev.tern.relay.spool;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * Where one recipient of a spooled message stands, as typed values: nothing here is text to be parsed
 * back. Delivery outcomes are three-valued (RFC 3464 2.3.3 actions: delivered, delayed, failed);
 * {@code PENDING} is the state before any attempt.
 *
 * @param kind the outcome so far
 * @param nextAttemptMillis for {@code DEFERRED}, when to try again (epoch millis); 0 otherwise
 * @param attempts how many attempts were made for this recipient
 * @param last what the last attempt came to; null only while {@code PENDING}
 * @param notified the reports already sent about this recipient, so a restart does not send them twice
 */
public record RecipientState(Kind kind, long nextAttemptMillis, int attempts, LastAttempt last, Set<Notice> notified) {

    public static final RecipientState PENDING = new RecipientState(Kind.PENDING, 0, 0, null, Set.of());

    /**
     * {@code previous} when it equals {@code state}, else {@code state}: recipients whose states are alike (one
     * attempt's, read back one after another) keep one object between them, and their last attempt one too.
     */
    public static RecipientState shared(RecipientState state, RecipientState previous) {
        if (previous == null) {
            return state;
        }
        if (state.equals(previous)) {
            return previous;
        }
        if (state.last() != null
                && state.last() != previous.last()
                && state.last().equals(previous.last())) {
            return new RecipientState(
                    state.kind(), state.nextAttemptMillis(), state.attempts(), previous.last(), state.notified());
        }
        return state;
    }

    public RecipientState {
        Objects.requireNonNull(kind, "kind");
        notified = notified.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(notified));
        if (kind != Kind.DEFERRED && nextAttemptMillis != 0) {
            throw new IllegalArgumentException("only a deferred recipient has a next attempt");
        }
        if (attempts < 0) {
            throw new IllegalArgumentException("attempts must not be negative");
        }
        if ((kind == Kind.PENDING) != (last == null)) {
            throw new IllegalArgumentException("a recipient has a last attempt exactly when it is not pending");
        }
        if (last != null && (kind == Kind.DELIVERED) != (last.status().statusClass() == 2)) {
            throw new IllegalArgumentException(kind + " with status " + last.status());
        }
    }

    public static RecipientState delivered(int attempts, LastAttempt last) {
        return new RecipientState(Kind.DELIVERED, 0, attempts, last, Set.of());
    }

    public static RecipientState failed(int attempts, LastAttempt last) {
        return new RecipientState(Kind.FAILED, 0, attempts, last, Set.of());
    }

    public static RecipientState deferred(long nextAttemptMillis, int attempts, LastAttempt last) {
        return new RecipientState(Kind.DEFERRED, nextAttemptMillis, attempts, last, Set.of());
    }

    /** True once nothing more will be attempted for this recipient. */
    public boolean isFinal() {
        return kind == Kind.DELIVERED || kind == Kind.FAILED;
    }

    /** This state with the reports already sent carried over from {@code earlier}. */
    public RecipientState notifiedAs(RecipientState earlier) {
        return new RecipientState(kind, nextAttemptMillis, attempts, last, earlier.notified);
    }

    /** This state, with {@code notice} sent. */
    public RecipientState with(Notice notice) {
        Set<Notice> more = EnumSet.of(notice);
        more.addAll(notified);
        return new RecipientState(kind, nextAttemptMillis, attempts, last, more);
    }

    /** The outcome so far. The byte codes are the on-disk encoding: never renumber them. */
    public enum Kind {
        PENDING(0),
        DELIVERED(1),
        FAILED(2),
        DEFERRED(3);

        final byte code;

        Kind(int code) {
            this.code = (byte) code;
        }

        static Kind ofCode(int code) {
            for (Kind k : values()) {
                if (k.code == code) {
                    return k;
                }
            }
            throw new IllegalArgumentException("unknown recipient state code " + code);
        }
    }

    /**
     * A report sent about a recipient before it was finished (RFC 3461 4.1). The failure report needs no
     * mark: it goes with the message's last record. The bits are the on-disk encoding.
     */
    public enum Notice {
        /** "delivered" or "relayed" (NOTIFY=SUCCESS). */
        SUCCESS(1),
        /** "delayed": the one warning that the message is still being retried. */
        DELAY(2),
        /** "failed": the report of a recipient that failed, sent after the attempt while others wait. */
        FAILURE(4);

        final int bit;

        Notice(int bit) {
            this.bit = bit;
        }
    }
}
