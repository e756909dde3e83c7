package dev.tern.relay.queue;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A pattern for a remote server's reply, written {@code [CODE] [ENHANCED] [TEXT]}: a three-digit reply
 * code where {@code x} stands for any digit ({@code 421}, {@code 4xx}), an RFC 3463 enhanced status code
 * ({@code 4.7.28}) and words that must appear in the reply's text, ignoring case ({@code try again
 * later}). Every part given must match; at least one is given. {@code 421 4.7.0} matches {@code 421 4.7.0
 * Try again later}; {@code 4.7.28} matches any reply with that enhanced code.
 */
public record ReplyPattern(String code, EnhancedStatus enhanced, String text) {
    private static final Pattern CODE = Pattern.compile("[2-5][0-9x][0-9x]");
    private static final Pattern ENHANCED = Pattern.compile("[245]\\.\\d{1,3}\\.\\d{1,3}");

    /** Parses a pattern; the message of the exception says what is wrong. */
    public static ReplyPattern parse(String source) {
        String rest = source.strip();
        String code = null;
        EnhancedStatus enhanced = null;
        String first = firstWord(rest);
        if (CODE.matcher(first.toLowerCase(Locale.ROOT)).matches()) {
            code = first.toLowerCase(Locale.ROOT);
            rest = rest.substring(first.length()).strip();
            first = firstWord(rest);
        }
        if (ENHANCED.matcher(first).matches()) {
            enhanced = EnhancedStatus.parse(first);
            rest = rest.substring(first.length()).strip();
        }
        String text = rest.isEmpty() ? null : rest.toLowerCase(Locale.ROOT);
        if (code == null && enhanced == null && text == null) {
            throw new IllegalArgumentException("a reply pattern is [CODE] [ENHANCED] [TEXT], got '" + source + "'");
        }
        return new ReplyPattern(code, enhanced, text);
    }

    /** Whether {@code reply} has every part of this pattern. */
    public boolean matches(SmtpReply reply) {
        if (code != null && !codeMatches(reply.code())) {
            return false;
        }
        if (enhanced != null && !enhanced.equals(reply.status())) {
            return false;
        }
        return text == null
                || String.join(" ", reply.lines()).toLowerCase(Locale.ROOT).contains(text);
    }

    private boolean codeMatches(int replyCode) {
        String digits = Integer.toString(replyCode);
        for (int i = 0; i < 3; i++) {
            if (code.charAt(i) != 'x' && code.charAt(i) != digits.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static String firstWord(String s) {
        int space = s.indexOf(' ');
        return space < 0 ? s : s.substring(0, space);
    }

    @Override
    public String toString() {
        StringBuilder b = new StringBuilder();
        if (code != null) {
            b.append(code);
        }
        if (enhanced != null) {
            b.append(b.isEmpty() ? "" : " ").append(enhanced);
        }
        if (text != null) {
            b.append(b.isEmpty() ? "" : " ").append(text);
        }
        return b.toString();
    }
}
