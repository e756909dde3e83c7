/**
 * Delivery integration tests: a real Tern whose resolver asks a DNS responder on loopback UDP
 * ({@code TestDnsServer}) and whose mail exchangers are scripted SMTP peers on loopback, reached
 * through {@link dev.tern.server.it.delivery.LoopbackForwarder}s so that several hosts share the one
 * destination port Tern dials. They cover MX ordering and spreading (RFC 5321 5.1), implicit MX,
 * null MX (RFC 7505), failover, retries and expiry with delivery status notifications (RFC 3464),
 * connection reuse, STARTTLS (RFC 3207), smarthost AUTH (RFC 4954), local Maildir delivery, restart
 * without loss or repetition, traffic shaping per destination (concurrency growing and shrinking,
 * suspension on {@code 421 4.7.0}), and {@code tern send} end to end.
 */
package dev.tern.server.it.delivery;
