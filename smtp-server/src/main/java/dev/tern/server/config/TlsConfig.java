package dev.tern.server.config;

import java.nio.file.Path;

/**
 * The server's certificate chain and private key, both PEM. Both {@code null} means a self-signed
 * certificate generated under {@code <data-dir>/tls} at first start.
 */
public record TlsConfig(Path certFile, Path keyFile) {
    /** Whether the operator configured a certificate (else Tern makes its own). */
    public boolean isConfigured() {
        return certFile != null;
    }
}
