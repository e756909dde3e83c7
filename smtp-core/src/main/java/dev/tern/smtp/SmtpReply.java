package dev.tern.smtp;

import java.util.List;

/**
 * A reply: a three-digit code (RFC 5321 4.2), an optional enhanced status code (RFC 3463) and one
 * or more text lines. Multi-line replies are written {@code code-text} for every line but the last.
 */
public record SmtpReply(int code, EnhancedStatus status, List<String> lines) {

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
