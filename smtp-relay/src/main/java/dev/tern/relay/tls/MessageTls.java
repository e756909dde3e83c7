package dev.tern.relay.tls;

import dev.tern.relay.client.ClientRoute;
import dev.tern.smtp.Envelope;

/**
 * What a message's own TLS wishes (RFC 8689) make of the policy of its recipient domain or smarthost:
 * REQUIRETLS raises it to verified TLS, {@code TLS-Required: No} lowers it to opportunistic TLS. A message
 * with neither follows the domain's policy as it is.
 */
public final class MessageTls {
    private MessageTls() {}

    /**
     * The policy this message follows to the domain's mail exchangers. RFC 8689 4.2.1: with REQUIRETLS
     * the certificate is verified (a DANE, MTA-STS {@code enforce} or {@code verify} policy already does,
     * else it is verified as {@code verify} would), and no failure is ever only counted (MTA-STS testing).
     * RFC 8689 5: {@code TLS-Required: No} delivers as {@link TlsPolicy#MAY}, whatever the domain publishes.
     */
    public static DomainTls of(DomainTls domain, Envelope envelope) {
        if (envelope.parameters().requireTls()) {
            // A dane entry's own level is opportunistic where DANE does not apply (TlsPolicy#DANE).
            boolean verified = domain.level() == TlsPolicy.VERIFY;
            if (verified && !domain.testing()) {
                return domain;
            }
            // Hosts with TLSA records stay held to them: DANE is verified TLS (RFC 8689 4.2.1).
            return new DomainTls(DomainTls.REQUIRETLS, TlsPolicy.VERIFY, false, domain.mx(), domain.dane());
        }
        if (envelope.tlsOptional()) {
            return DomainTls.TLS_REQUIRED_NO;
        }
        return domain;
    }

    /** A smarthost's route for this message: with REQUIRETLS, TLS is required and its certificate verified. */
    public static ClientRoute of(ClientRoute route, Envelope envelope) {
        if (!envelope.parameters().requireTls() || route.requireVerifiedTls()) {
            return route;
        }
        ClientRoute.TlsMode mode = route.tls() == ClientRoute.TlsMode.IMPLICIT
                ? ClientRoute.TlsMode.IMPLICIT
                : ClientRoute.TlsMode.STARTTLS;
        return new ClientRoute(mode, true, route.username(), route.password(), route.authMechanism());
    }
}
