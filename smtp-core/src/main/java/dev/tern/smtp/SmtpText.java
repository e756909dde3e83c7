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

    /** Refuses text that holds CR or LF (it could inject a line into the conversation). */
    public static String requireSingleLine(String text, String what) {
        if (hasLineBreak(text)) {
            throw new IllegalArgumentException(what + " must not contain CR or LF");
        }
        return text;
    }
}
