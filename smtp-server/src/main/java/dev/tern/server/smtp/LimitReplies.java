package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;

/**
 * The replies of the abuse limits and of sender ownership. Texts name the limit but never the address or
 * the counts, so a client learns nothing it could tune an attack with.
 */
final class LimitReplies {
    private LimitReplies() {}

    static final SmtpReply CONNECTION_RATE =
            new SmtpReply(421, "4.7.0", "Connection rate limit exceeded for your address, try again later");
    static final SmtpReply TLS_HANDSHAKE_RATE = new SmtpReply(
            454, "4.7.0", "TLS not available: too many TLS handshakes from your address, try again later");
    static final SmtpReply MESSAGE_RATE =
            new SmtpReply(450, "4.7.1", "Too many messages from your address, try again later");
    static final SmtpReply RECIPIENT_RATE =
            new SmtpReply(452, "4.7.1", "Too many recipients from your address, try again later");
    static final SmtpReply AUTH_FAILURES =
            new SmtpReply(454, "4.7.0", "Too many failed authentication attempts, try again later");
    static final SmtpReply MESSAGES_PER_SESSION =
            new SmtpReply(421, "4.7.0", "Too many messages in this session, closing connection");
    static final SmtpReply SENDER_NOT_OWNED =
            new SmtpReply(553, "5.7.1", "Sender address not owned by the authenticated user");

    /**
     * Replies that ask the client to slow down or come back later are not its errors: they neither count
     * towards {@code limits.max-errors} nor trip the tarpit (RFC 5321 4.5.3.1.10 for too many recipients). A
     * client that keeps asking is still bounded: they count as junk commands, and too many recipients against
     * {@code limits.max-recipient-overshoot}.
     */
    static boolean isThrottle(SmtpReply reply) {
        return reply.code() == 421
                || reply.equals(SmtpReplies.TOO_MANY_RECIPIENTS)
                || reply.equals(TLS_HANDSHAKE_RATE)
                || reply.equals(MESSAGE_RATE)
                || reply.equals(RECIPIENT_RATE);
    }
}
