package dev.tern.server.config;

import java.util.Objects;

/** The HTTP listener for {@code /metrics} and {@code /health/*}. */
public record ManagementConfig(String address, int port, boolean enabled) {
    public ManagementConfig {
        Objects.requireNonNull(address, "address");
    }
}
