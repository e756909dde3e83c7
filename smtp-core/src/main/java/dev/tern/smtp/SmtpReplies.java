package dev.tern.smtp;

/**
 * Canned replies, each with its enhanced status code (RFC 3463, RFC 5248 registry). Texts are safe
 * to show to any client: they never name users or internal reasons.
 */
public final class SmtpReplies {
    private SmtpReplies() {}

    // 2xx
    public static final SmtpReply OK = new SmtpReply(250, "2.0.0", "Ok");
    public static final SmtpReply SENDER_OK = new SmtpReply(250, "2.1.0", "Ok");
    public static final SmtpReply RECIPIENT_OK = new SmtpReply(250, "2.1.5", "Ok");
    public static final SmtpReply RESET_OK = new SmtpReply(250, "2.0.0", "Ok");
    public static final SmtpReply NOOP_OK = new SmtpReply(250, "2.0.0", "Ok");
    public static final SmtpReply BYE = new SmtpReply(221, "2.0.0", "Bye");
    public static final SmtpReply HELP = new SmtpReply(
            214, "2.0.0", "Commands: EHLO HELO MAIL RCPT DATA BDAT RSET NOOP QUIT VRFY HELP STARTTLS AUTH");
    /** RFC 5321 3.5.3: we neither confirm nor deny a mailbox. */
    public static final SmtpReply CANNOT_VRFY =
            new SmtpReply(252, "2.5.0", "Cannot VRFY user, but will accept message and attempt delivery");

    public static final SmtpReply READY_TO_START_TLS = new SmtpReply(220, "2.0.0", "Ready to start TLS");
    public static final SmtpReply AUTH_OK = new SmtpReply(235, "2.7.0", "Authentication successful");

    // 3xx
    public static final SmtpReply START_MAIL_INPUT = new SmtpReply(354, "End data with <CR><LF>.<CR><LF>");

    // 4xx
    public static final SmtpReply SHUTTING_DOWN =
            new SmtpReply(421, "4.3.0", "Service shutting down, closing connection");
    public static final SmtpReply TOO_MANY_CONNECTIONS =
            new SmtpReply(421, "4.7.0", "Too many connections, try again later");
    public static final SmtpReply TOO_MANY_CONNECTIONS_FROM_YOU =
            new SmtpReply(421, "4.7.0", "Too many connections from your address, try again later");
    public static final SmtpReply TIMEOUT = new SmtpReply(421, "4.4.2", "Timeout exceeded, closing connection");
    public static final SmtpReply TOO_SLOW = new SmtpReply(421, "4.4.2", "Data rate too low, closing connection");
    public static final SmtpReply TOO_MANY_ERRORS = new SmtpReply(421, "4.7.0", "Too many errors, closing connection");
    public static final SmtpReply INTERNAL_ERROR = new SmtpReply(421, "4.3.0", "Internal error, closing connection");
    public static final SmtpReply LOCAL_ERROR =
            new SmtpReply(451, "4.3.0", "Local error in processing, try again later");
    public static final SmtpReply INSUFFICIENT_STORAGE =
            new SmtpReply(452, "4.3.1", "Insufficient system storage, try again later");
    public static final SmtpReply TOO_MANY_RECIPIENTS = new SmtpReply(452, "4.5.3", "Too many recipients");
    public static final SmtpReply TLS_NOT_AVAILABLE = new SmtpReply(454, "4.7.0", "TLS not available");
    public static final SmtpReply AUTH_TEMPORARY_FAILURE =
            new SmtpReply(454, "4.7.0", "Temporary authentication failure");

    // 5xx: syntax and sequence
    public static final SmtpReply UNRECOGNIZED_COMMAND = new SmtpReply(500, "5.5.1", "Command unrecognized");
    public static final SmtpReply LINE_TOO_LONG = new SmtpReply(500, "5.5.2", "Line too long");
    public static final SmtpReply BARE_LINE_ENDING =
            new SmtpReply(500, "5.5.2", "Bare CR or LF received; lines end with CRLF");
    /** A command line that is not UTF-8: a syntax error (5.5.2, as Postfix); 5.6.7 is for well-formed UTF-8 addresses. */
    public static final SmtpReply INVALID_UTF8 = new SmtpReply(500, "5.5.2", "Command line is not valid UTF-8");

    public static final SmtpReply BAD_BDAT_SYNTAX = new SmtpReply(501, "5.5.4", "Syntax: BDAT chunk-size [LAST]");
    /** BDAT in a session begun with HELO, where CHUNKING was never offered (RFC 3030 2). */
    public static final SmtpReply BDAT_NEEDS_EHLO =
            new SmtpReply(503, "5.5.1", "BDAT needs EHLO: CHUNKING was not offered");
    /** A BDAT line without a size: its chunk's end cannot be found, so the session ends (as Postfix ends it). */
    public static final SmtpReply BAD_BDAT_SYNTAX_CLOSING =
            new SmtpReply(554, "5.5.4", "Syntax: BDAT chunk-size [LAST]; the chunk cannot be found, closing");

    public static final SmtpReply SYNTAX_ERROR = new SmtpReply(501, "5.5.4", "Syntax error in parameters or arguments");
    public static final SmtpReply BAD_ADDRESS_SYNTAX = new SmtpReply(501, "5.1.3", "Bad address syntax");
    public static final SmtpReply BAD_SENDER_SYNTAX = new SmtpReply(501, "5.1.7", "Bad sender address syntax");
    public static final SmtpReply EHLO_REQUIRES_DOMAIN =
            new SmtpReply(501, "5.5.4", "Domain name or address literal required");
    /** RFC 4954 4: the client's "*"; 5.7.0, a security matter, as Postfix says it. */
    public static final SmtpReply AUTH_CANCELLED = new SmtpReply(501, "5.7.0", "Authentication cancelled");

    public static final SmtpReply BAD_BASE64 = new SmtpReply(501, "5.5.2", "Cannot decode base64");
    public static final SmtpReply NOT_IMPLEMENTED = new SmtpReply(502, "5.5.1", "Command not implemented");
    public static final SmtpReply BAD_SEQUENCE = new SmtpReply(503, "5.5.1", "Bad sequence of commands");
    public static final SmtpReply SEND_HELO_FIRST = new SmtpReply(503, "5.5.1", "Send EHLO or HELO first");
    /** An extension's command after HELO: only EHLO opens the extensions (RFC 5321 4.1.1.1). */
    public static final SmtpReply SEND_EHLO_FOR_EXTENSIONS =
            new SmtpReply(503, "5.5.1", "Send EHLO first: HELO opens no extensions");

    public static final SmtpReply NESTED_MAIL = new SmtpReply(503, "5.5.1", "Sender already specified");
    public static final SmtpReply NEED_MAIL = new SmtpReply(503, "5.5.1", "Need MAIL command");
    public static final SmtpReply NO_VALID_RECIPIENTS = new SmtpReply(554, "5.5.1", "No valid recipients");
    public static final SmtpReply ALREADY_AUTHENTICATED = new SmtpReply(503, "5.5.1", "Already authenticated");
    public static final SmtpReply AUTH_IN_TRANSACTION =
            new SmtpReply(503, "5.5.1", "AUTH not permitted during a mail transaction");
    public static final SmtpReply ALREADY_TLS = new SmtpReply(503, "5.5.1", "TLS already active");
    public static final SmtpReply MIXED_DATA_BDAT =
            new SmtpReply(503, "5.5.1", "DATA and BDAT cannot be mixed in one transaction");
    public static final SmtpReply UNSUPPORTED_AUTH_MECHANISM =
            new SmtpReply(504, "5.5.4", "Unrecognized authentication mechanism");
    public static final SmtpReply UNKNOWN_PARAMETER = new SmtpReply(555, "5.5.4", "Unsupported MAIL or RCPT parameter");

    // 5xx: policy and content
    /** RFC 8689 4 and RFC 3463 X.7.10: REQUIRETLS is only taken over a TLS session. */
    public static final SmtpReply REQUIRETLS_NEEDS_TLS = new SmtpReply(530, "5.7.10", "REQUIRETLS needs a TLS session");

    public static final SmtpReply AUTH_REQUIRED = new SmtpReply(530, "5.7.0", "Authentication required");
    public static final SmtpReply AUTH_CREDENTIALS_INVALID =
            new SmtpReply(535, "5.7.8", "Authentication credentials invalid");
    public static final SmtpReply AUTH_NEEDS_TLS =
            new SmtpReply(538, "5.7.11", "Encryption required for requested authentication mechanism");
    public static final SmtpReply NO_SUCH_USER =
            new SmtpReply(550, "5.1.1", "Recipient address rejected: user unknown");
    /** RFC 3463 X.1.3: a local domain's address whose mailbox could not be a folder (a path separator, say). */
    public static final SmtpReply UNUSABLE_MAILBOX_NAME =
            new SmtpReply(550, "5.1.3", "Recipient address rejected: not usable as a mailbox name here");

    public static final SmtpReply RELAY_DENIED = new SmtpReply(554, "5.7.1", "Relay access denied");
    public static final SmtpReply MESSAGE_TOO_BIG = new SmtpReply(552, "5.3.4", "Message size exceeds fixed limit");
    /** RFC 3463 5.3.4: the header section, not the whole message, is past a fixed limit. */
    public static final SmtpReply HEADER_TOO_LARGE =
            new SmtpReply(552, "5.3.4", "Message header section exceeds fixed limit");

    public static final SmtpReply MAIL_LOOP =
            new SmtpReply(554, "5.4.6", "Too many Received headers: mail loop detected");
    public static final SmtpReply BODY_LINE_TOO_LONG =
            new SmtpReply(550, "5.6.0", "Message has a line longer than 1000 octets");

    /** {@link #BODY_LINE_TOO_LONG} for a listener that takes text lines of up to {@code octets}. */
    public static SmtpReply bodyLineTooLong(int octets) {
        return octets == 1000
                ? BODY_LINE_TOO_LONG
                : BODY_LINE_TOO_LONG.withText("Message has a line longer than " + octets + " octets");
    }

    public static final SmtpReply BODY_BARE_LINE_ENDING =
            new SmtpReply(550, "5.6.0", "Message contains a bare CR or LF; lines end with CRLF");
    public static final SmtpReply SMTPUTF8_REQUIRED =
            new SmtpReply(553, "5.6.7", "Non-ASCII address requires SMTPUTF8");
}
