/**
 * The outbound SMTP client on Netty: one attempt to deliver one message to one host (RFC 5321 3.3,
 * 4.5.3.2 timeouts), with EHLO/HELO, STARTTLS (RFC 3207), AUTH PLAIN/LOGIN (RFC 4954, RFC 4616),
 * PIPELINING (RFC 2920), SIZE (RFC 1870), 8BITMIME (RFC 6152), SMTPUTF8 (RFC 6531), CHUNKING/BDAT
 * (RFC 3030) and DSN parameters (RFC 3461), and reuse of connections between messages (RSET,
 * RFC 5321 4.1.1.5). Rejections come back as per-recipient outcomes, never as exceptions.
 *
 * <p>The conversation is one future per awaited reply: {@code ClientSessionHandler.send(command)}
 * returns the stage of the command's reply, and {@code SessionSetup} and {@code MailTransaction} are
 * compositions of those stages.
 */
package dev.tern.relay.client;
