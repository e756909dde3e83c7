/**
 * The inbound SMTP pipeline (RFC 5321) and its session: connection limits, deadlines (RFC 5321
 * 4.5.3.2), STARTTLS (RFC 3207), AUTH PLAIN and LOGIN (RFC 4954, RFC 4616), and the transaction
 * state machine with one small handler per verb, PIPELINING (RFC 2920) and CHUNKING (RFC 3030).
 * Accepted messages go to a {@link dev.tern.smtp.queue.MailQueue}; nothing here knows the relay.
 */
package dev.tern.server.smtp;
