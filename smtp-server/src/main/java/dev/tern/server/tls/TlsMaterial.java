package dev.tern.server.tls;

import dev.tern.server.config.TlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds Netty TLS contexts from the configured PEM files or from a self-signed certificate. */
public final class TlsMaterial {
    /** TLS 1.0 and 1.1 are deprecated (RFC 8996); RFC 8314 section 4.1 asks for current versions. */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private static final Logger log = LoggerFactory.getLogger(TlsMaterial.class);

    private TlsMaterial() {}

    /**
     * The server context: from {@code tls.cert-file} and {@code tls.key-file} when configured, else from
     * {@code <dataDir>/tls/cert.pem} and {@code key.pem}, generated on first use and reused afterwards.
     * This touches the disk; call it at start, not on an event loop.
     */
    public static SslContext load(TlsConfig tls, Path dataDir, String hostname) {
        Path certFile = tls.certFile();
        Path keyFile = tls.keyFile();
        if (certFile == null || keyFile == null) {
            Path dir = dataDir.resolve("tls");
            certFile = dir.resolve("cert.pem");
            keyFile = dir.resolve("key.pem");
            ensureSelfSigned(certFile, keyFile, hostname);
        }
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        return serverContext(key, chain);
    }

    /**
     * A server context with a self-signed certificate for {@code hostname} made in memory, nothing
     * written anywhere ({@code tern sink}, tests).
     */
    public static InMemory selfSigned(String hostname) {
        KeyPair keys = SelfSignedCertificate.newKeyPair();
        X509Certificate certificate = SelfSignedCertificate.create(keys, hostname);
        return new InMemory(serverContext(keys.getPrivate(), List.of(certificate)), certificate);
    }

    /** A server context and the certificate it presents, which a client may be told to trust. */
    public record InMemory(SslContext context, X509Certificate certificate) {}

    /** A server context for {@code key} and its certificate chain (leaf first). */
    public static SslContext serverContext(PrivateKey key, List<X509Certificate> chain) {
        try {
            return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new))
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new TlsMaterialException("cannot build a TLS server context: " + e.getMessage(), e);
        }
    }

    /**
     * A client context that trusts exactly {@code trusted} (for tests and for talking to a Tern with a
     * self-signed certificate). Host names are verified against the certificate.
     */
    public static SslContext clientTrusting(X509Certificate... trusted) {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .protocols(PROTOCOLS)
                    .trustManager(trusted)
                    .endpointIdentificationAlgorithm("HTTPS")
                    .build();
        } catch (SSLException e) {
            throw new TlsMaterialException("cannot build a TLS client context: " + e.getMessage(), e);
        }
    }

    /** A client context trusting the certificates in the PEM file {@code certFile}. */
    public static SslContext clientTrusting(Path certFile) {
        return clientTrusting(PemFiles.readCertificates(certFile).toArray(X509Certificate[]::new));
    }

    private static void ensureSelfSigned(Path certFile, Path keyFile, String hostname) {
        if (Files.exists(certFile) && Files.exists(keyFile)) {
            return;
        }
        try {
            Files.createDirectories(certFile.getParent());
            KeyPair keys = SelfSignedCertificate.newKeyPair();
            X509Certificate certificate = SelfSignedCertificate.create(keys, hostname);
            // Key first: a certificate on disk always has its key beside it.
            PemFiles.writePrivate(keyFile, PemFiles.toPkcs8Pem(keys.getPrivate()));
            PemFiles.writePublic(certFile, PemFiles.toPem(certificate));
            log.info("created a self-signed certificate for {} in {}", hostname, certFile);
        } catch (IOException e) {
            throw new TlsMaterialException(
                    "cannot write the self-signed certificate to " + certFile.getParent() + ": " + e, e);
        }
    }
}
