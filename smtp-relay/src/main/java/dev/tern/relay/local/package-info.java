/**
 * Local delivery: messages for the configured local domains are written to Maildir folders
 * ({@code <data>/mail/<domain>/<user>/{tmp,new,cur}}, https://cr.yp.to/proto/maildir.html).
 *
 * <p>A message is written to {@code tmp/}, forced to disk, renamed atomically into {@code new/} and
 * the {@code new/} directory is forced, so a crash leaves either no message or a whole one; only
 * then is the recipient counted as delivered, which is when the relay may forget it (RFC 5321 6.1).
 * Which folder an address reaches is smtp-core's {@code LocalMailboxes}, the rule RCPT follows too:
 * local parts matched case-insensitively, aliases, the recipient delimiter ({@code u+tag} reaches
 * {@code u}), and {@code postmaster}, which always exists (RFC 5321 4.5.1). File IO runs on a
 * caller-supplied executor, never on an event loop.
 *
 * <p>Files have LF line ends, as Postfix, Exim and Dovecot write Maildir files: every CRLF of the
 * message becomes LF, a CR or LF standing alone is kept, and the prepended {@code Return-Path} and
 * {@code Delivered-To} lines end in LF too. The spool and the wire keep CRLF.
 */
package dev.tern.relay.local;
