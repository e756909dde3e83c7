package dev.tern.smtp;

/** Checks shared by every value that is written to the wire, or shown to a person. */
public final class SmtpText {
    private SmtpText() {}

    /**
     * True for a character that draws nothing and can change what a reader sees: a control character (ESC begins a
     * terminal's escape sequences, CR rewrites a line) or a format character (a right-to-left override reorders
     * one). Text from elsewhere shown to a person, in a log line or on a terminal, writes it as {@code ?}.
     */
    public static boolean isControlOrFormat(int codePoint) {
        if (Character.isISOControl(codePoint)) {
            return true;
        }
        int type = Character.getType(codePoint);
        // U+2028 and U+2029 end a line for many readers.
        return type == Character.FORMAT || type == Character.LINE_SEPARATOR || type == Character.PARAGRAPH_SEPARATOR;
    }

    /**
     * {@code text} as a person may be shown it, in a log line or on a terminal: each control or format character
     * written as {@code ?}, but for line breaks and tabs when {@code lines} is true (a header section, a table).
     */
    public static String printable(String text, boolean lines) {
        StringBuilder out = null;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean kept = lines && (c == '\n' || c == '\t') || !isControlOrFormat(c);
            if (!kept && out == null) {
                out = new StringBuilder(text.length()).append(text, 0, i);
            }
            if (out != null) {
                out.append(kept ? c : '?');
            }
        }
        return out == null ? text : out.toString();
    }

    /** True when the text holds a CR or LF, which would let it end or forge a line. */
    public static boolean hasLineBreak(CharSequence text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }

    /**
     * The text with {@code a}-{@code z} made capitals and every other character as it is: how SMTP compares
     * its keywords (verbs, parameters, their values, mechanisms), case-insensitively in US-ASCII alone
     * (RFC 5321 2.4). {@code String.toUpperCase} would also turn Unicode's dotless i into {@code I} and its
     * long s into {@code S}, making {@code MA\u0131L} a MAIL that no other reader of the line sees.
     */
    public static String asciiUpperCase(String text) {
        char[] chars = null; // made only when a letter must change
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'a' && c <= 'z') {
                if (chars == null) {
                    chars = text.toCharArray();
                }
                chars[i] = asciiUpperCase(c);
            }
        }
        return chars == null ? text : new String(chars);
    }

    /** True when {@code text} starts with {@code capitals}, its letters compared as {@link #asciiUpperCase}. */
    public static boolean startsWithIgnoringAsciiCase(String text, String capitals) {
        return startsWithIgnoringAsciiCase(text, capitals, 0);
    }

    /** The same, from index {@code from} of {@code text}. */
    public static boolean startsWithIgnoringAsciiCase(String text, String capitals, int from) {
        if (text.length() - from < capitals.length()) {
            return false;
        }
        for (int i = 0; i < capitals.length(); i++) {
            if (asciiUpperCase(text.charAt(from + i)) != capitals.charAt(i)) {
                return false;
            }
        }
        return true;
    }

    private static char asciiUpperCase(char c) {
        return c >= 'a' && c <= 'z' ? (char) (c - ('a' - 'A')) : c;
    }

    /** Refuses text that holds CR or LF (it could inject a line into the conversation). */
    public static String requireSingleLine(String text, String what) {
        if (hasLineBreak(text)) {
            throw new IllegalArgumentException(what + " must not contain CR or LF");
        }
        return text;
    }
}
