package dev.tern.relay.client;

/**
 * How to talk to one next hop: the TLS policy and optional AUTH credentials (smarthost routes).
 *
 * @param tls when and how to use TLS
 * @param requireVerifiedTls verify the server's certificate chain and name; only with a required TLS mode
 * @param username the AUTH user, or null for no AUTH
 * @param password the AUTH password, null exactly when {@code username} is
 * @param peerCheck checked against the server's certificate chain after the handshake (DANE), or null; only
 *     with STARTTLS required and no other verification
 */
public record ClientRoute(
        TlsMode tls,
        boolean requireVerifiedTls,
        String username,
        String password,
        String authMechanism,
        PeerCheck peerCheck) {

    /** When the client uses TLS. */
    public enum TlsMode {
        /** Never, even when offered: credentials may then go in clear, as the operator chose. */
        NONE,
        /** STARTTLS when the server offers it, else plaintext; a failed handshake retries in plaintext. */
        OPPORTUNISTIC,
        /** STARTTLS is required: no offer or a failed handshake fails the host (RFC 3207 4.1). */
        STARTTLS,
        /** TLS from the first byte (RFC 8314 3.3). */
        IMPLICIT
    }

    private static final ClientRoute MX = new ClientRoute(TlsMode.OPPORTUNISTIC, false, null, null);

    /** A route that authenticates with the best mechanism the server offers (PLAIN, else LOGIN). */
    public ClientRoute(TlsMode tls, boolean requireVerifiedTls, String username, String password) {
        this(tls, requireVerifiedTls, username, password, null);
    }

    /** A route without a {@link PeerCheck}. */
    public ClientRoute(
            TlsMode tls, boolean requireVerifiedTls, String username, String password, String authMechanism) {
        this(tls, requireVerifiedTls, username, password, authMechanism, null);
    }

    /** STARTTLS required, and the server's chain must pass {@code check} (RFC 7672 2.2: no plaintext, ever). */
    public static ClientRoute checked(PeerCheck check) {
        return new ClientRoute(TlsMode.STARTTLS, false, null, null, null, check);
    }

    public ClientRoute {
        if (tls == null) {
            throw new IllegalArgumentException("tls mode is required");
        }
        if (requireVerifiedTls && (tls == TlsMode.NONE || tls == TlsMode.OPPORTUNISTIC)) {
            throw new IllegalArgumentException("verified TLS needs tls mode STARTTLS or IMPLICIT, not " + tls);
        }
        if ((username == null) != (password == null)) {
            throw new IllegalArgumentException("username and password go together");
        }
        if (authMechanism != null && !authMechanism.equals("PLAIN") && !authMechanism.equals("LOGIN")) {
            throw new IllegalArgumentException("AUTH mechanism is PLAIN or LOGIN, not " + authMechanism);
        }
        if (peerCheck != null && (tls != TlsMode.STARTTLS || requireVerifiedTls)) {
            throw new IllegalArgumentException("a peer check goes with STARTTLS required and no other verification");
        }
    }

    /** The route to a mail exchanger found in DNS: opportunistic STARTTLS, no AUTH. */
    public static ClientRoute mx() {
        return MX;
    }

    public boolean hasCredentials() {
        return username != null;
    }

    /** True when the route may not fall back to plaintext. */
    public boolean tlsRequired() {
        return tls == TlsMode.STARTTLS || tls == TlsMode.IMPLICIT;
    }

    /**
     * True when TLS on this route is authenticated: the certificate was verified against trusted roots and
     * the host name, or passed the route's {@link PeerCheck} (DANE). A session that is ready on such a route
     * has TLS (it never falls back to plaintext).
     */
    public boolean authenticatesServer() {
        return requireVerifiedTls || peerCheck != null;
    }

    /** The password is a secret: never in logs. */
    @Override
    public String toString() {
        return "ClientRoute[tls=" + tls + ", verified=" + requireVerifiedTls + ", user=" + username + ", auth="
                + (authMechanism == null ? "any" : authMechanism)
                + (peerCheck == null ? "" : ", check=" + peerCheck.describe()) + "]";
    }
}
