package dev.tern.server.tls;

import dev.tern.relay.spool.SpoolDirectoryException;
import dev.tern.server.config.TlsConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.IdentityCipherSuiteFilter;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.interfaces.EdECKey;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
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
            certFile = selfSignedCertFile(dataDir);
            keyFile = selfSignedKeyFile(dataDir);
            ensureSelfSigned(certFile, keyFile, hostname);
        }
        List<X509Certificate> chain = PemFiles.readCertificates(certFile);
        PrivateKey key = PemFiles.readPrivateKey(keyFile);
        requireMatch(key, chain.get(0), keyFile, certFile);
        return serverContext(key, chain);
    }

    /** Where Tern keeps the certificate it makes for itself when none is configured. */
    static Path selfSignedCertFile(Path dataDir) {
        return dataDir.resolve("tls").resolve("cert.pem");
    }

    /** And its key. */
    static Path selfSignedKeyFile(Path dataDir) {
        return dataDir.resolve("tls").resolve("key.pem");
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

    /**
     * A server context for {@code key} and its certificate chain (leaf first), on the JDK's TLS with Netty's
     * default cipher suites. Built from a JDK {@code SSLContext} directly rather than by Netty's builder, whose
     * server context costs a cold JVM about half a second more at start (a PKCS12 store for the key, and a
     * trial one when its class loads) for nothing Tern uses: no client certificates are asked for.
     */
    public static SslContext serverContext(PrivateKey key, List<X509Certificate> chain) {
        try {
            SSLContext tls = SSLContext.getInstance("TLS");
            tls.init(new KeyManager[] {new SingleKeyManager(key, chain)}, null, null);
            return new JdkSslContext(
                    tls,
                    false,
                    null,
                    IdentityCipherSuiteFilter.INSTANCE,
                    ApplicationProtocolConfig.DISABLED,
                    ClientAuth.NONE,
                    PROTOCOLS.clone(),
                    false);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new TlsMaterialException("cannot build a TLS server context: " + e.getMessage(), e);
        }
    }

    /**
     * The signature algorithm {@code key} signs with, or null for a kind of key Tern does not know: an EdDSA
     * key's is its curve's name, which the JDK's keys give only in their parameters.
     */
    static String signatureAlgorithm(PrivateKey key) {
        if (key instanceof EdECKey edwards) {
            return edwards.getParams().getName();
        }
        return switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC", "ECDSA" -> "SHA256withECDSA";
            case "Ed25519", "Ed448" -> key.getAlgorithm();
            default -> null;
        };
    }

    /** Fails unless {@code key} is the private half of the leaf certificate's key: else every handshake would. */
    static void requireMatch(PrivateKey key, X509Certificate leaf, Path keyFile, Path certFile) {
        String algorithm = signatureAlgorithm(key);
        if (algorithm == null) {
            return; // RSASSA-PSS and the rest: the handshake will tell
        }
        boolean matches;
        try {
            byte[] probe = "tern key check".getBytes(StandardCharsets.US_ASCII);
            Signature signer = Signature.getInstance(algorithm);
            signer.initSign(key);
            signer.update(probe);
            byte[] signature = signer.sign();
            Signature verifier = Signature.getInstance(algorithm);
            verifier.initVerify(leaf.getPublicKey());
            verifier.update(probe);
            matches = verifier.verify(signature);
        } catch (GeneralSecurityException e) {
            matches = false; // a key of another type than the certificate's
        }
        if (!matches) {
            throw new TlsMaterialException("the private key in " + keyFile + " does not belong to the certificate in "
                    + certFile + " (" + leaf.getSubjectX500Principal().getName() + ")");
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
        } catch (FileSystemException e) {
            throw new TlsMaterialException(
                    "cannot write the self-signed certificate to " + certFile.getParent() + ": "
                            + SpoolDirectoryException.reason(e),
                    e,
                    true);
        } catch (IOException e) {
            throw new TlsMaterialException(
                    "cannot write the self-signed certificate to " + certFile.getParent() + ": " + e, e);
        }
    }
}
