package dev.tern.smtp.queue;

import java.util.Objects;

/** A message's queue id, as quoted in {@code 250 2.0.0 Ok: queued as <id>} and in every log line. */
public record QueueId(String value) {
    public QueueId {
        Objects.requireNonNull(value, "value");
        if (value.isEmpty() || value.length() > 64) {
            throw new IllegalArgumentException("queue id length must be 1..64");
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))) {
                throw new IllegalArgumentException("queue id is alphanumeric: " + value);
            }
        }
    }

    @Override
    public String toString() {
        return value;
    }
}
