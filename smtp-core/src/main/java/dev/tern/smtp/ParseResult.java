package dev.tern.smtp;

import java.util.Objects;

/** The outcome of parsing client input: a value, or the reply that rejects the input. */
public sealed interface ParseResult<T> permits ParseResult.Parsed, ParseResult.Rejected {

    static <T> ParseResult<T> parsed(T value) {
        return new Parsed<>(value);
    }

    static <T> ParseResult<T> rejected(SmtpReply reply) {
        return new Rejected<>(reply);
    }

    record Parsed<T>(T value) implements ParseResult<T> {
        public Parsed {
            Objects.requireNonNull(value, "value");
        }
    }

    record Rejected<T>(SmtpReply reply) implements ParseResult<T> {
        public Rejected {
            Objects.requireNonNull(reply, "reply");
        }
    }
}
