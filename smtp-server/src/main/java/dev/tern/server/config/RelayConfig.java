package dev.tern.server.config;

import java.util.List;

/**
 * Who may relay without AUTH: clients in {@code trustedNetworks}, which are also exempt from the per-IP
 * connection limit (as Postfix's {@code smtpd_client_event_limit_exceptions} is by default).
 */
public record RelayConfig(List<Cidr> trustedNetworks) {
    public RelayConfig {
        trustedNetworks = List.copyOf(trustedNetworks);
    }

    /** Whether {@code address} lies in one of the trusted networks. */
    public boolean isTrusted(java.net.InetAddress address) {
        return Cidr.anyContains(trustedNetworks, address);
    }
}
