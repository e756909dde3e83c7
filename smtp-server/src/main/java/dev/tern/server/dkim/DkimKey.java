package dev.tern.server.dkim;

import dev.tern.server.tls.PemFiles;
import dev.tern.server.tls.TlsMaterialException;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Objects;
import org.bouncycastle.crypto.params.Ed25519PrivateKeyParameters;
import org.bouncycastle.crypto.signers.Ed25519Signer;
import org.bouncycastle.crypto.util.PrivateKeyFactory;

/**
 * A loaded signing key: its selector (the s= tag), its algorithm and the private key. Ed25519 signs with
 * Bouncy Castle's implementation, several times faster than the JDK's (docs/performance.md), its public
 * half derived once, here.
 */
public final class DkimKey {
    private final String selector;
    private final DkimAlgorithm algorithm;
    private final PrivateKey privateKey;
    private final Ed25519PrivateKeyParameters ed25519;

    public DkimKey(String selector, DkimAlgorithm algorithm, PrivateKey privateKey) {
        this.selector = Objects.requireNonNull(selector, "selector");
        this.algorithm = Objects.requireNonNull(algorithm, "algorithm");
        this.privateKey = Objects.requireNonNull(privateKey, "privateKey");
        if (algorithm == DkimAlgorithm.ED25519_SHA256) {
            try {
                ed25519 = (Ed25519PrivateKeyParameters) PrivateKeyFactory.createKey(privateKey.getEncoded());
            } catch (IOException | ClassCastException e) {
                throw new IllegalArgumentException("not an Ed25519 private key", e);
            }
            ed25519.generatePublicKey();
        } else {
            ed25519 = null;
        }
    }

    public String selector() {
        return selector;
    }

    public DkimAlgorithm algorithm() {
        return algorithm;
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    /**
     * Reads the key file (PKCS#8 {@code PRIVATE KEY}, or {@code RSA PRIVATE KEY} for RSA) and checks that it
     * is a key of the algorithm, and for RSA at least {@value DkimAlgorithm#MIN_RSA_BITS} bits.
     *
     * @throws IllegalArgumentException saying what is wrong with the file (the caller names the key)
     */
    public static DkimKey load(DkimKeySpec spec) {
        PrivateKey read;
        try {
            read = PemFiles.readPrivateKey(spec.keyFile());
        } catch (TlsMaterialException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
        PrivateKey key;
        try {
            // Through the JDK's own key factory: it refuses a key of another type.
            key = KeyFactory.getInstance(spec.algorithm().jcaKeyAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(read.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    spec.keyFile() + " holds an " + read.getAlgorithm() + " key, not an "
                            + spec.algorithm().jcaKeyAlgorithm() + " key for "
                            + spec.algorithm().tag(),
                    e);
        }
        if (key instanceof RSAPrivateKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < DkimAlgorithm.MIN_RSA_BITS) {
                throw new IllegalArgumentException(spec.keyFile() + " holds a " + bits
                        + "-bit RSA key; DKIM needs at least " + DkimAlgorithm.MIN_RSA_BITS + " bits (RFC 8301 3.2)");
            }
        }
        return new DkimKey(spec.selector(), spec.algorithm(), key);
    }

    /** The b= value's octets for {@code data} (RFC 6376 3.7). Safe to call from several threads. */
    byte[] sign(byte[] data) {
        try {
            if (ed25519 != null) {
                // RFC 8463 3: Ed25519 signs the SHA-256 hash of the data, not the data.
                byte[] hash = MessageDigest.getInstance("SHA-256").digest(data);
                Ed25519Signer ed = new Ed25519Signer();
                ed.init(true, ed25519);
                ed.update(hash, 0, hash.length);
                return ed.generateSignature();
            }
            Signature rsa = Signature.getInstance("SHA256withRSA");
            rsa.initSign(privateKey);
            rsa.update(data);
            return rsa.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with selector " + selector + ": " + e, e);
        }
    }
}
