package dev.tern.server.dkim;

import dev.tern.server.tls.PemFiles;
import dev.tern.server.tls.TlsMaterialException;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.interfaces.RSAPrivateKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Objects;

/** A loaded signing key: its selector (the s= tag), its algorithm and the private key. */
public record DkimKey(String selector, DkimAlgorithm algorithm, PrivateKey privateKey) {

    public DkimKey {
        Objects.requireNonNull(selector, "selector");
        Objects.requireNonNull(algorithm, "algorithm");
        Objects.requireNonNull(privateKey, "privateKey");
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
            // Through the JDK's own key factory: it refuses a key of another type, and its keys suit its Signature.
            key = KeyFactory.getInstance(spec.algorithm().jcaKeyAlgorithm())
                    .generatePrivate(new PKCS8EncodedKeySpec(read.getEncoded()));
        } catch (GeneralSecurityException | RuntimeException e) {
            throw new IllegalArgumentException(
                    spec.keyFile() + " holds a " + read.getAlgorithm() + " key, not an "
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
}
