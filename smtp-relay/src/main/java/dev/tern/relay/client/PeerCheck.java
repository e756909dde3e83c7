package dev.tern.relay.client;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * A check of the certificate chain a server presented, made after the TLS handshake and before any SMTP
 * command goes over the new session: DANE's TLSA records (RFC 7672 3) are one. A route with a check takes
 * any certificate in the handshake (which still proves the server holds the leaf's key) and then asks this.
 * Implementations are values: two checks that are equal accept the same chains, so connections checked by
 * one may be reused by the other.
 */
public interface PeerCheck {

    /** Why {@code chain} (leaf first) does not pass, in words for a log line or a report; empty when it does. */
    Optional<String> mismatch(List<X509Certificate> chain);

    /** The kind of check, for log lines and reports: {@code DANE}. */
    String describe();
}
