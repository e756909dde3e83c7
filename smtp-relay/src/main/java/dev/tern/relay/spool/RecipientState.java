package dev.tern.relay.spool;

import java.util.Objects;

/**
 * Where one recipient of a spooled message stands. Delivery outcomes are three-valued (RFC 3464
 * 2.3.3 actions: delivered, delayed, failed); {@code PENDING} is the state before any attempt.
 *
 * @param kind the outcome so far
 * @param nextAttemptMillis for {@code DEFERRED}, when to try again (epoch millis); 0 otherwise
 * @param detail the last diagnostic (e.g. the remote reply), kept for the DSN; null when none
 */
public record RecipientState(Kind kind, long nextAttemptMillis, String detail) {

    public static final RecipientState PENDING = new RecipientState(Kind.PENDING, 0, null);

    public RecipientState {
        Objects.requireNonNull(kind, "kind");
        if (kind != Kind.DEFERRED && nextAttemptMillis != 0) {
            throw new IllegalArgumentException("only a deferred recipient has a next attempt");
        }
    }

    public static RecipientState delivered(String detail) {
        return new RecipientState(Kind.DELIVERED, 0, detail);
    }

    public static RecipientState failed(String detail) {
        return new RecipientState(Kind.FAILED, 0, detail);
    }

    public static RecipientState deferred(long nextAttemptMillis, String detail) {
        return new RecipientState(Kind.DEFERRED, nextAttemptMillis, detail);
    }

    /** True once nothing more will be attempted for this recipient. */
    public boolean isFinal() {
        return kind == Kind.DELIVERED || kind == Kind.FAILED;
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
}
