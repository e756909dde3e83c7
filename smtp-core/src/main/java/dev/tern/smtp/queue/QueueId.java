package dev.tern.smtp.queue;

import java.util.Objects;

/** A message's queue id, as quoted in {@code 250 2.0.0 Ok: queued as <id>} and in every log line. */
public final class QueueId {

    private final String value;
    private final int hash;

    public QueueId(String value) {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > 64) {
            throw new IllegalArgumentException("queue id length must be 1..64");
        }
        long h = 0xcbf29ce484222325L;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                throw new IllegalArgumentException("queue id is alphanumeric: " + value);
            }
            h = (h ^ c) * 0x100000001b3L;
        }
        this.value = value;
        this.hash = (int) (h ^ (h >>> 32));
    }

    public String value() {
        return value;
    }

    /**
     * FNV-1a over the characters, folded to 32 bits and computed once. {@link String#hashCode} gives many of
     * Tern's ids the same hash: they differ in a few base-36 digits, and digit pairs such as {@code 0X} and
     * {@code 19} sum alike under its multiplier of 31. Maps keyed by ids (the spool's index, the queue)
     * would chain and turn buckets into trees as the queue grows.
     */
    @Override
    public int hashCode() {
        return hash;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof QueueId other && value.equals(other.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
