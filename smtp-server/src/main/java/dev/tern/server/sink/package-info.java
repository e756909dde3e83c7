/**
 * {@code tern sink}: a small SMTP receiver for load tests and for tests of senders' shaping and
 * retries. It speaks SMTP with Tern's own codecs (strict CRLF framing, DATA and BDAT bodies, RFC 5321,
 * RFC 3030), offers STARTTLS with a certificate made in memory (RFC 3207), accepts and counts mail,
 * optionally stores it in one Maildir folder, and injects faults on request: temporary and permanent
 * refusals at RCPT and after the message, delays, dropped connections and a 421 greeting, all drawn
 * from a seeded sequence so a run can be repeated. It applies none of the server's policies.
 */
package dev.tern.server.sink;
