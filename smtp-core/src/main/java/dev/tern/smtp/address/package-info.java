/**
 * Mailbox addresses and paths (RFC 5321 4.1.2, 4.1.3), with internationalized addresses
 * (RFC 6531) allowed only where the transaction asked for SMTPUTF8.
 */
package dev.tern.smtp.address;
