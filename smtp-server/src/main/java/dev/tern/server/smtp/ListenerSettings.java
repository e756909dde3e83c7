package dev.tern.server.smtp;

import java.time.Duration;
import java.util.Objects;

/**
 * What one listener's sessions need to know: its name and policy (RFC 6409 submission, RFC 8314
 * implicit TLS) and the session limits. Built once from the configuration by the application.
 *
 * @param implicitTls TLS from the first byte (smtps, RFC 8314 3.3)
 * @param submission AUTH required before MAIL; missing Message-ID and Date are added (RFC 6409 8)
 * @param maxCommandLine octets, CRLF included (RFC 5321 4.5.3.1.4)
 * @param maxTextLine octets, CRLF included (RFC 5321 4.5.3.1.6)
 * @param commandTimeout how long we wait for the next command (RFC 5321 4.5.3.2.7)
 * @param dataTimeout how long we wait for the next block of message data (RFC 5321 4.5.3.2.5)
 * @param commandDeadline the longest one command line may take to arrive
 * @param minDataRate octets per second a client must keep up while it sends a line or a message
 * @param maxHeaderSize octets of a message's header section, line ends included
 * @param maxHeaderFields header fields of a message (RFC 5322 2.2; folded lines count once)
 */
public record ListenerSettings(
        String name,
        String hostname,
        boolean implicitTls,
        boolean submission,
        int maxCommandLine,
        int maxTextLine,
        long maxMessageSize,
        int maxRecipients,
        int maxErrors,
        int maxReceivedHeaders,
        Duration commandTimeout,
        Duration dataTimeout,
        Duration commandDeadline,
        long minDataRate,
        long maxHeaderSize,
        int maxHeaderFields) {

    public ListenerSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(commandTimeout, "commandTimeout");
        Objects.requireNonNull(dataTimeout, "dataTimeout");
        Objects.requireNonNull(commandDeadline, "commandDeadline");
        if (maxCommandLine < 512 || maxTextLine < 1000) {
            throw new IllegalArgumentException("RFC 5321 4.5.3.1 minimum line lengths are 512 and 1000");
        }
        if (maxMessageSize < 1 || maxRecipients < 1 || maxErrors < 1 || maxReceivedHeaders < 1 || minDataRate < 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
        if (maxHeaderSize < 1 || maxHeaderFields < 1) {
            throw new IllegalArgumentException("header limits must be positive");
        }
    }
}
