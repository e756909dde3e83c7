package dev.tern.server.cli;

import dev.tern.smtp.SmtpText;

/**
 * The server's answers as the terminal gets them: a control character (ESC, which begins a terminal's escape
 * sequences, CR, BEL, DEL, the C1 controls) or a format character (a right-to-left override) is written as
 * {@code ?}, so an answer can neither recolour, move nor reorder what the operator reads. Much of what the
 * server stores came from elsewhere: a message's header section, a remote server's reply.
 */
final class TerminalText {
    private TerminalText() {}

    /** {@code text} as one line: a line break is a {@code ?} too. */
    static String line(String text) {
        return SmtpText.printable(text, false);
    }

    /** {@code text} with its line breaks and tabs (a header section, a table), nothing else that is no character. */
    static String lines(String text) {
        return SmtpText.printable(text, true);
    }
}
