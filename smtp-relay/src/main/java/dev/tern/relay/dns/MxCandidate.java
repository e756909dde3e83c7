package dev.tern.relay.dns;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * One address to connect to in a delivery attempt, with the mail exchanger it belongs to (the
 * host name is what TLS checks and what logs and DSNs name).
 */
public record MxCandidate(String host, int preference, InetSocketAddress address) {

    public MxCandidate {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(address, "address");
        if (address.isUnresolved()) {
            throw new IllegalArgumentException("candidate addresses are already resolved: " + address);
        }
    }
}
