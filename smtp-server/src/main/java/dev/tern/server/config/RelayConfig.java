package dev.tern.server.config;

import java.util.List;
import java.util.Locale;

/**
 * Who may relay without AUTH: clients in {@code trustedNetworks}, which are also exempt from the per-IP
 * connection limit (as Postfix's {@code smtpd_client_event_limit_exceptions} is by default). And whose mail
 * we take from anyone to pass on: {@code domains} (a backup MX or an inbound gateway, Postfix's {@code
 * relay_domains}), delivered by MX or their {@code delivery.routes} entry, never locally; when {@code
 * recipients} lists addresses, only those are accepted (Postfix's {@code relay_recipient_maps}).
 */
public record RelayConfig(List<Cidr> trustedNetworks, List<String> domains, List<String> recipients) {
    public RelayConfig {
        trustedNetworks = List.copyOf(trustedNetworks);
        // Domains are case-insensitive (RFC 5321 2.4); one case lets lookups be exact.
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        recipients = List.copyOf(recipients);
    }

    /** Whether {@code address} lies in one of the trusted networks. */
    public boolean isTrusted(java.net.InetAddress address) {
        return Cidr.anyContains(trustedNetworks, address);
    }
}
