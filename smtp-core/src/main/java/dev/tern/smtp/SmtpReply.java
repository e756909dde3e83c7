package dev.tern.smtp;

import java.util.List;

/**
 * A reply: a three-digit code (RFC 5321 4.2), an optional enhanced status code (RFC 3463) and one
 * or more text lines. Multi-line replies are written {@code code-text} for every line but the last.
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines) {

    /**
     * The most text of a server's reply that is kept once it has been read (Postfix's {@code line_length_limit}):
     * a reply's text goes into the queue's state, the spool and reports, once per recipient, and a server that
     * answers each RCPT with 100 lines of 4 KiB must not make each recipient cost 400 KB there. The reply as it is
     * read holds more (the client's decoder reads up to 16 KiB of text, so that every EHLO keyword counts).
     */
    public static final int MAX_KEPT_TEXT = 2048;

    public SmtpReply {
        if (code < 200 || code > 599) {
            throw new IllegalArgumentException("reply code must be 200..599: " + code);
        }
        lines = List.copyOf(lines);
        if (lines.isEmpty()) {
            throw new IllegalArgumentException("a reply has at least one line");
        }
        for (String line : lines) {
            SmtpText.requireSingleLine(line, "reply text");
        }
        if (status != null && status.statusClass() != code / 100) {
            throw new IllegalArgumentException("enhanced status " + status + " does not match code " + code);
        }
    }

    public SmtpReply(int code, String status, String text) {
        this(code, status == null ? null : EnhancedStatus.parse(status), List.of(text));
    }

    public SmtpReply(int code, String text) {
        this(code, (EnhancedStatus) null, List.of(text));
    }

    /** The same code and status with other text. */
    public SmtpReply withText(String text) {
        return new SmtpReply(code, status, List.of(text));
    }

    /**
     * This reply with at most {@code maxText} characters of text, its lines together: the line that crosses the
     * bound is cut (never inside a surrogate pair), later lines left out; the reply itself when it is within.
     */
    public SmtpReply bounded(int maxText) {
        int total = 0;
        for (String line : lines) {
            total += line.length();
        }
        if (total <= maxText) {
            return this;
        }
        List<String> kept = new java.util.ArrayList<>();
        int left = maxText;
        for (String line : lines) {
            if (left <= 0) {
                break;
            }
            kept.add(line.length() <= left ? line : cut(line, left));
            left -= Math.max(1, line.length());
        }
        return new SmtpReply(code, status, kept.isEmpty() ? List.of("") : kept);
    }

    /** {@code text} with at most {@code max} characters, never cut inside a surrogate pair. */
    public static String cut(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max > 0 && Character.isHighSurrogate(text.charAt(max - 1)) ? max - 1 : max;
        return text.substring(0, end);
    }

    public boolean isPositive() {
        return code < 400;
    }

    public boolean isTransientFailure() {
        return code >= 400 && code < 500;
    }

    public boolean isPermanentFailure() {
        return code >= 500;
    }

    /** The first line of text, for logs. */
    public String text() {
        return lines.get(0);
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.size(); i++) {
            if (i > 0) {
                sb.append(" / ");
            }
            sb.append(code);
            if (status != null) {
                sb.append(' ').append(status);
            }
            sb.append(' ').append(lines.get(i));
        }
        return sb.toString();
    }
}
