package dev.tern.server.config;

import java.time.Duration;
import java.util.Objects;

/**
 * Server-side timeouts (RFC 5321 section 4.5.3.2): {@code command} waits for the next command
 * (4.5.3.2.7), {@code dataBlock} for the next chunk of DATA (4.5.3.2.5); {@code commandDeadline} bounds a
 * whole command including its data, and {@code minDataRate} (bytes per second, 0 = off) drops trickling
 * clients; {@code tlsHandshake} bounds a TLS handshake, and {@code proxyHeader} the wait for a load
 * balancer's PROXY protocol header.
 */
public record TimeoutsConfig(
        Duration command,
        Duration dataBlock,
        Duration commandDeadline,
        long minDataRate,
        Duration tlsHandshake,
        Duration proxyHeader) {
    public TimeoutsConfig {
        Objects.requireNonNull(command, "command");
        Objects.requireNonNull(dataBlock, "dataBlock");
        Objects.requireNonNull(commandDeadline, "commandDeadline");
        Objects.requireNonNull(tlsHandshake, "tlsHandshake");
        Objects.requireNonNull(proxyHeader, "proxyHeader");
    }
}
