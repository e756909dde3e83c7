package dev.tern.server.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The HTTP listener for {@code /metrics}, {@code /health/*} and the token-guarded admin API
 * ({@code /admin/*}); {@code adminTokenFile} holds its {@code NAME:TOKEN} lines (never null in a loaded
 * configuration: the loader puts it at {@code <data-dir>/admin-token} unless set).
 */
public record ManagementConfig(String address, int port, boolean enabled, Path adminTokenFile) {
    public ManagementConfig {
        Objects.requireNonNull(address, "address");
    }
}
