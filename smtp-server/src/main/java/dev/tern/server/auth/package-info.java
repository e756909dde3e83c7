/**
 * Who may submit mail: the users file (htpasswd-style {@code name:bcrypt-hash} lines) and the
 * {@link dev.tern.server.auth.Authenticator} that checks SMTP AUTH credentials (RFC 4954) against it off the
 * event loop. The SASL exchange itself lives with the SMTP session.
 */
package dev.tern.server.auth;
