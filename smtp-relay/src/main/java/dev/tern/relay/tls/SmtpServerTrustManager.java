package dev.tern.relay.tls;

import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Verified TLS to an SMTP server (RFC 7672 3.2.3 and RFC 8461 4.1 without DANE): the chain must lead to a
 * trusted root, and the end certificate must name the host the engine was made for (the mail exchanger
 * or smarthost name, which is also the SNI), matched by {@link HostNames}. Client certificates are never
 * checked here: this is a client's trust manager.
 */
final class SmtpServerTrustManager extends X509ExtendedTrustManager {
    private final X509TrustManager chains;

    SmtpServerTrustManager(X509TrustManager chains) {
        this.chains = chains;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        check(chain, authType, engine == null ? null : engine.getPeerHost());
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        check(chain, authType, null);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        check(chain, authType, null);
    }

    private void check(X509Certificate[] chain, String authType, String host) throws CertificateException {
        try {
            chains.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            throw new CertificateException("certificate not trusted: " + e.getMessage(), e);
        }
        if (host == null) {
            throw new CertificateException("no host name to check the certificate against");
        }
        if (!HostNames.certificateNames(chain[0], host)) {
            throw new CertificateException(
                    "certificate names " + HostNames.names(chain[0]) + ", not " + host + " (RFC 6125)");
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
            throws CertificateException {
        throw new CertificateException("a client does not check client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
            throws CertificateException {
        throw new CertificateException("a client does not check client certificates");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a client does not check client certificates");
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return chains.getAcceptedIssuers();
    }
}
