package dev.tern.relay.spool;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a recipient state as segment format 1 wrote it: a kind, a next attempt time and one string,
 * {@code "<enhanced status> <diagnostic>"}, where the diagnostic of a remote reply was its code and
 * text joined by spaces. It is read into typed values once, at replay; nothing is written this way
 * any more. Format 1 kept neither the remote host, the attempt time nor the number of attempts.
 */
final class FormatOneState {

    /** A remote reply as format 1 flattened it: three digits, an optional enhanced code, then text. */
    private static final Pattern REPLY =
            Pattern.compile("([245][0-9][0-9])(?: ([245]\\.[0-9]{1,3}\\.[0-9]{1,3}))?(?: (.*))?");

    private FormatOneState() {}

    static RecipientState of(RecipientState.Kind kind, long nextAttemptMillis, String detail) {
        if (kind == RecipientState.Kind.PENDING) {
            return RecipientState.PENDING;
        }
        String text = detail == null ? "" : detail;
        int space = text.indexOf(' ');
        EnhancedStatus written = statusOrNull(space > 0 ? text.substring(0, space) : text);
        boolean fits = written != null && (written.statusClass() == 2) == (kind == RecipientState.Kind.DELIVERED);
        // Without a fitting status in front the whole string is the diagnostic, under RFC 3463's X.0.0.
        EnhancedStatus status = fits ? written : new EnhancedStatus(defaultClass(kind), 0, 0);
        String diagnostic = !fits ? text : space > 0 ? text.substring(space + 1) : "";
        LastAttempt last = new LastAttempt(0, status, reply(diagnostic), null, diagnostic, false);
        // Past PENDING a recipient had been tried at least once; format 1 did not count further.
        return new RecipientState(kind, nextAttemptMillis, 1, last, Set.of());
    }

    private static EnhancedStatus statusOrNull(String text) {
        try {
            return EnhancedStatus.parse(text);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static int defaultClass(RecipientState.Kind kind) {
        return switch (kind) {
            case DELIVERED -> 2;
            case DEFERRED -> 4;
            default -> 5;
        };
    }

    /** The remote reply a diagnostic stood for, or null when it was a reason of our own. */
    private static SmtpReply reply(String diagnostic) {
        Matcher m = REPLY.matcher(diagnostic);
        if (!m.matches()) {
            return null;
        }
        int code = Integer.parseInt(m.group(1));
        EnhancedStatus enhanced = m.group(2) == null ? null : EnhancedStatus.parse(m.group(2));
        if (enhanced != null && enhanced.statusClass() != code / 100) {
            return null;
        }
        return new SmtpReply(code, enhanced, List.of(m.group(3) == null ? "" : m.group(3)));
    }
}
