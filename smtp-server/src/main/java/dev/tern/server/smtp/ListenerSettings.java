package dev.tern.server.smtp;

import dev.tern.server.config.LimitsConfig;
import dev.tern.server.config.ListenerConfig;
import dev.tern.server.config.ListenerMode;
import dev.tern.server.config.TernConfig;
import dev.tern.server.config.TimeoutsConfig;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import java.util.Objects;

/**
 * What one listener's sessions need to know: the listener (name, mode), the session limits and timeouts.
 * Built once from the configuration by the application.
 *
 * @param maxCommandLine octets, CRLF included (RFC 5321 4.5.3.1.4)
 * @param maxTextLine octets, CRLF included (RFC 5321 4.5.3.1.6 on mx; {@code limits.max-submission-line-length}
 *     on submission and smtps)
 */
public record ListenerSettings(
        String hostname,
        ListenerConfig listener,
        LimitsConfig limits,
        TimeoutsConfig timeouts,
        int maxCommandLine,
        int maxTextLine) {

    public ListenerSettings {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(listener, "listener");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(timeouts, "timeouts");
        if (maxCommandLine < 512 || maxTextLine < 1000) {
            throw new IllegalArgumentException("RFC 5321 4.5.3.1 minimum line lengths are 512 and 1000");
        }
    }

    /**
     * The settings of {@code listener} under {@code config}: RFC 5321's line lengths, except that a
     * submission listener takes text lines up to {@code limits.max-submission-line-length}. Mail
     * programs write long lines (HTML on one line); RFC 6409 leaves the submission server free to take
     * them, while a message to an MX must keep the 1000 octets (RFC 5321 4.5.3.1.6).
     */
    public static ListenerSettings of(TernConfig config, ListenerConfig listener) {
        int maxTextLine = listener.mode() == ListenerMode.MX
                ? 1000
                : Math.toIntExact(config.limits().maxSubmissionLineLength());
        return new ListenerSettings(config.hostname(), listener, config.limits(), config.timeouts(), 512, maxTextLine);
    }

    public String name() {
        return listener.name();
    }

    /** The refusal of a message with a text line over {@link #maxTextLine()}, which it names. */
    public SmtpReply bodyLineTooLong() {
        return SmtpReplies.bodyLineTooLong(maxTextLine);
    }

    /** TLS from the first byte (smtps, RFC 8314 3.3). */
    public boolean implicitTls() {
        return listener.mode() == ListenerMode.SMTPS;
    }

    /** AUTH required before MAIL; missing Message-ID and Date are added (RFC 6409 8). */
    public boolean submission() {
        return listener.mode() != ListenerMode.MX;
    }
}
