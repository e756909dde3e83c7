package dev.tern.relay.client;

/**
 * How to talk to one next hop: the TLS policy and optional AUTH credentials (smarthost routes).
 *
 * @param tls when and how to use TLS
 * @param requireVerifiedTls verify the server's certificate chain and name; only with a required TLS mode
 * @param username the AUTH user, or null for no AUTH
 * @param password the AUTH password, null exactly when {@code username} is
 */
public record ClientRoute(
        TlsMode tls, boolean requireVerifiedTls, String username, String password, String authMechanism) {

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

    /** The password is a secret: never in logs. */
    @Override
    public String toString() {
        return "ClientRoute[tls=" + tls + ", verified=" + requireVerifiedTls + ", user=" + username + ", auth="
                + (authMechanism == null ? "any" : authMechanism) + "]";
    }
}
