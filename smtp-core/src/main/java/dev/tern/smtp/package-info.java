/**
 * The SMTP protocol as values: verbs, commands, replies with enhanced status codes (RFC 5321, RFC 3463),
 * envelopes and their ESMTP parameters. Values are immutable and validate at construction; nothing
 * here touches a socket or a file.
 */
package dev.tern.smtp;
