package dev.tern.server.tls;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * The server's one private key and its certificate chain, handed to the JDK's TLS directly: offered for the
 * signature schemes of the key's own algorithm, refused for the others, as the JDK's own key manager does.
 * No key store is built for it, so no password-based encryption of the key runs at start (a PKCS12 store
 * costs two PBKDF2 runs, about half a second of a cold JVM). Never a client key.
 */
final class SingleKeyManager extends X509ExtendedKeyManager {
    static final String ALIAS = "tern";

    private final PrivateKey key;
    private final X509Certificate[] chain;
    private final String keyType;

    SingleKeyManager(PrivateKey key, List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            throw new IllegalArgumentException("a server key needs its certificate");
        }
        this.key = key;
        this.chain = chain.toArray(X509Certificate[]::new);
        this.keyType = keyType(key.getAlgorithm());
    }

    /** The JDK's name of a key type: Bouncy Castle calls an EC key "ECDSA". */
    private static String keyType(String algorithm) {
        return algorithm.equals("ECDSA") ? "EC" : algorithm;
    }

    private String serverAlias(String type) {
        return keyType.equals(type) ? ALIAS : null;
    }

    @Override
    public String[] getServerAliases(String type, Principal[] issuers) {
        return serverAlias(type) == null ? null : new String[] {ALIAS};
    }

    @Override
    public String chooseServerAlias(String type, Principal[] issuers, Socket socket) {
        return serverAlias(type);
    }

    @Override
    public String chooseEngineServerAlias(String type, Principal[] issuers, SSLEngine engine) {
        return serverAlias(type);
    }

    @Override
    public String[] getClientAliases(String type, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] types, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] types, Principal[] issuers, SSLEngine engine) {
        return null;
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        return ALIAS.equals(alias) ? chain.clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        return ALIAS.equals(alias) ? key : null;
    }
}
