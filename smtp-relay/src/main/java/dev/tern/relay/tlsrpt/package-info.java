/**
 * SMTP TLS Reporting (RFC 8460): {@link dev.tern.relay.tlsrpt.TlsSessionCounts} counts, per recipient domain
 * and policy, the TLS sessions delivery had with its mail exchangers and the failures by result type;
 * {@link dev.tern.relay.tlsrpt.TlsReporter} sends each domain that publishes a {@code _smtp._tls} TXT record
 * with a {@code mailto:} address its aggregate report ({@link dev.tern.relay.tlsrpt.TlsReport}: the JSON of
 * RFC 8460 4, gzipped, in the message of 5.3), through Tern's own queue.
 */
package dev.tern.relay.tlsrpt;
