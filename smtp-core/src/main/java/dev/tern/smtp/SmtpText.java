package dev.tern.smtp;

/** Checks shared by every value that is written to the wire. */
public final class SmtpText {
    private SmtpText() {}

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
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c >= 'a' && c <= 'z') {
                char[] chars = text.toCharArray();
                for (int j = i; j < chars.length; j++) {
                    if (chars[j] >= 'a' && chars[j] <= 'z') {
                        chars[j] = (char) (chars[j] - ('a' - 'A'));
                    }
                }
                return new String(chars);
            }
        }
        return text;
    }

    /** Refuses text that holds CR or LF (it could inject a line into the conversation). */
    public static String requireSingleLine(String text, String what) {
        if (hasLineBreak(text)) {
            throw new IllegalArgumentException(what + " must not contain CR or LF");
        }
        return text;
    }
}
