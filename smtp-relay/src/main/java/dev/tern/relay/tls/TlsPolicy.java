package dev.tern.relay.tls;

import dev.tern.relay.client.ClientRoute;
import dev.tern.relay.client.ClientRoute.TlsMode;
import java.util.Locale;

/** What TLS delivery to a domain's mail exchangers requires (Postfix's smtp_tls_security_level). */
public enum TlsPolicy {
    /** Never STARTTLS, even when offered. */
    NONE(new ClientRoute(TlsMode.NONE, false, null, null)),
    /** STARTTLS when offered, any certificate; plaintext otherwise (RFC 7435). The default. */
    MAY(ClientRoute.mx()),
    /** STARTTLS required, any certificate. */
    ENCRYPT(new ClientRoute(TlsMode.STARTTLS, false, null, null)),
    /** STARTTLS required, with a certificate that chains to a trusted root and names the mail exchanger. */
    VERIFY(new ClientRoute(TlsMode.STARTTLS, true, null, null)),
    /**
     * RFC 7672, as Postfix's {@code dane} level: hosts with DNSSEC-validated usable TLSA records are held to
     * them ({@link OutboundTls}); where DANE does not apply the domain follows MTA-STS, else {@link #MAY}, so
     * this route of its own is opportunistic.
     */
    DANE(ClientRoute.mx());

    private final ClientRoute route;

    TlsPolicy(ClientRoute route) {
        this.route = route;
    }

    /** The client route that meets this policy. */
    public ClientRoute route() {
        return route;
    }

    /** True when a host that cannot give TLS of this kind is not used (no plaintext fallback). */
    public boolean required() {
        return route.tlsRequired();
    }

    /** The configuration spelling and meter tag: {@code none}, {@code may}, ... */
    public String key() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Reads the configuration spelling, in any case. */
    public static TlsPolicy parse(String text) {
        for (TlsPolicy policy : values()) {
            if (policy.key().equalsIgnoreCase(text.strip())) {
                return policy;
            }
        }
        throw new IllegalArgumentException("must be one of none, may, encrypt, verify, dane, got '" + text + "'");
    }
}
