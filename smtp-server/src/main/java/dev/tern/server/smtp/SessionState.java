package dev.tern.server.smtp;

/**
 * Where a session stands in RFC 5321 4.1.4's command ordering. Body reception (DATA or BDAT) is a
 * state of its own so that no command is taken while message bytes are expected.
 */
enum SessionState {
    /** Greeted; EHLO or HELO not yet received. */
    CONNECTED,
    /** EHLO/HELO done, no transaction. */
    READY,
    /** MAIL accepted, no recipient yet. */
    MAIL,
    /** At least one recipient accepted. */
    RCPT,
    /** Between DATA's 354 and the end-of-data indication. */
    DATA,
    /** Inside a BDAT transaction (RFC 3030): chunks are received between BDAT commands. */
    BDAT;

    boolean inTransaction() {
        return this == MAIL || this == RCPT || this == DATA || this == BDAT;
    }
}
