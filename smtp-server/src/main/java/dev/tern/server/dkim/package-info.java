/**
 * DKIM signing (RFC 6376) with RSA-SHA256 and Ed25519-SHA256 (RFC 8463) of the mail Tern accepts from its
 * own users: the keys and their PEM files, the simple and relaxed canonicalisations (RFC 6376 3.4), the
 * DKIM-Signature header field (3.5), and the {@link dev.tern.smtp.queue.Signer} that does the work on a
 * bounded executor, off the event loops.
 */
package dev.tern.server.dkim;
