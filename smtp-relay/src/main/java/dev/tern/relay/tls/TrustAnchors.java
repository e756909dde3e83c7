package dev.tern.relay.tls;

import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import javax.net.ssl.SSLException;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * The roots verified TLS trusts: the JDK's trust store, plus the certificates of a PEM bundle when one is
 * configured ({@code delivery.tls-trust-file}). Loaded once, at start; the contexts made from it are shared.
 */
public final class TrustAnchors {
    private final X509TrustManager trust;

    private TrustAnchors(X509TrustManager trust) {
        this.trust = trust;
    }

    /** The JDK's trust store, and {@code pemBundle}'s certificates when it is not null. */
    public static TrustAnchors load(Path pemBundle) throws IOException, GeneralSecurityException {
        if (pemBundle == null) {
            return new TrustAnchors(trustManager(null));
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        store.load(null, null);
        int n = 0;
        for (X509Certificate root : trustManager(null).getAcceptedIssuers()) {
            store.setCertificateEntry("system-" + n++, root);
        }
        List<X509Certificate> bundle = readPem(pemBundle);
        if (bundle.isEmpty()) {
            throw new GeneralSecurityException(pemBundle + " holds no certificate");
        }
        for (X509Certificate root : bundle) {
            store.setCertificateEntry("file-" + n++, root);
        }
        return new TrustAnchors(trustManager(store));
    }

    /** The JDK's trust store only. */
    public static TrustAnchors system() {
        try {
            return load(null);
        } catch (IOException | GeneralSecurityException e) {
            throw new IllegalStateException("the JDK's trust store cannot be read", e);
        }
    }

    /**
     * For SMTP to mail exchangers and smarthosts that must be verified: the chain against these roots and
     * the host name as {@link HostNames} matches it (the name the client is given is the reference).
     */
    public SslContext smtpContext() {
        return context(new SmtpServerTrustManager(trust), null);
    }

    /** For HTTPS (the MTA-STS policy host): the chain against these roots, the host name as RFC 2818 says. */
    public SslContext httpsContext() {
        return context(trust, "HTTPS");
    }

    private static SslContext context(TrustManager trust, String endpointIdentification) {
        try {
            return SslContextBuilder.forClient()
                    .sslProvider(SslProvider.JDK)
                    .trustManager(trust)
                    .endpointIdentificationAlgorithm(endpointIdentification)
                    .build();
        } catch (SSLException e) {
            throw new IllegalStateException("the JDK cannot build a TLS client context", e);
        }
    }

    private static X509TrustManager trustManager(KeyStore store) throws GeneralSecurityException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(store);
        for (TrustManager manager : factory.getTrustManagers()) {
            if (manager instanceof X509TrustManager x509) {
                return x509;
            }
        }
        throw new GeneralSecurityException("no X.509 trust manager");
    }

    private static List<X509Certificate> readPem(Path file) throws IOException, GeneralSecurityException {
        try (InputStream in = Files.newInputStream(file)) {
            Collection<? extends Certificate> all =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            List<X509Certificate> out = new ArrayList<>();
            for (Certificate c : all) {
                out.add((X509Certificate) c);
            }
            return out;
        }
    }
}
