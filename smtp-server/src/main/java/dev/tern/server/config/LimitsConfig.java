package dev.tern.server.config;

import java.time.Duration;

/**
 * Resource limits. Sizes are bytes. {@code maxMessageSize} is announced in the EHLO SIZE keyword
 * (RFC 1870); {@code maxRecipients} must be at least 100 to honour RFC 5321 section 4.5.3.1.8, though
 * smaller values are accepted for tests; {@code maxInflightBytes} caps message bytes buffered across all
 * sessions before the spool owns them; {@code maxHeaderSize} (bytes) and {@code maxHeaderFields} bound a
 * message's header section. {@code maxErrors} closes a session; past {@code errorDelayAfter}
 * errors each further error reply waits {@code errorDelay} (a tarpit, Postfix's smtpd_soft_error_limit and
 * smtpd_error_sleep_time). After {@code maxMessagesPerSession} messages the next MAIL closes the session.
 * Past {@code maxJunkCommands} NOOP, RSET, VRFY, EXPN, HELP, repeated EHLO or HELO and rate-limited commands
 * since a session's last accepted message, each counts as an error (Postfix's smtpd_junk_command_limit); so
 * does each recipient of a transaction past {@code maxRecipients} plus {@code maxRecipientOvershoot}
 * (Postfix's smtpd_recipient_overshoot_limit).
 * {@code maxSubmissionLineLength} (octets, CRLF included) bounds a message text line on the submission
 * and smtps listeners, where mail programs may send longer lines than RFC 5321 4.5.3.1.6's 1000, which
 * the mx listener keeps; the relay folds such lines before passing the message on.
 * {@code forbidUnauthPipelining} ends a session that sends ahead where RFC 2920 and RFC 5321 do not let it
 * (Postfix's smtpd_forbid_unauth_pipelining, Exim's smtp_enforce_sync).
 */
public record LimitsConfig(
        int maxConnections,
        int maxConnectionsPerIp,
        long maxMessageSize,
        int maxRecipients,
        int maxRecipientOvershoot,
        int maxErrors,
        int maxReceivedHeaders,
        long maxInflightBytes,
        long maxHeaderSize,
        int maxHeaderFields,
        int maxMessagesPerSession,
        int maxJunkCommands,
        int errorDelayAfter,
        Duration errorDelay,
        long maxSubmissionLineLength,
        boolean forbidUnauthPipelining) {}
