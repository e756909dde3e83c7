package dev.tern.server.dkim;

import java.util.Locale;

/** The signing algorithms of the a= tag: RSA-SHA256 (RFC 6376 3.3.1) and Ed25519-SHA256 (RFC 8463 3). */
public enum DkimAlgorithm {
    RSA_SHA256("rsa-sha256", "rsa", "RSA"),
    ED25519_SHA256("ed25519-sha256", "ed25519", "Ed25519");

    /** RFC 6376 3.3.3: verifiers need not take RSA keys under 1024 bits; RFC 8301 4 asks signers for 2048. */
    public static final int MIN_RSA_BITS = 2048;

    private final String tag;
    private final String keyType;
    private final String jcaKeyAlgorithm;

    DkimAlgorithm(String tag, String keyType, String jcaKeyAlgorithm) {
        this.tag = tag;
        this.keyType = keyType;
        this.jcaKeyAlgorithm = jcaKeyAlgorithm;
    }

    /** The a= value, also the name in the configuration. */
    public String tag() {
        return tag;
    }

    /** The k= value of the key record (RFC 6376 3.6.1, RFC 8463 4). */
    public String keyType() {
        return keyType;
    }

    /** The JCA name of the key algorithm ({@code RSA}, {@code Ed25519}). */
    public String jcaKeyAlgorithm() {
        return jcaKeyAlgorithm;
    }

    /** Reads an a= value ({@code rsa-sha256}) or a key type ({@code rsa}), case-insensitively. */
    public static DkimAlgorithm parse(String text) {
        String lower = text.strip().toLowerCase(Locale.ROOT);
        for (DkimAlgorithm a : values()) {
            if (a.tag.equals(lower) || a.keyType.equals(lower)) {
                return a;
            }
        }
        throw new IllegalArgumentException("unknown algorithm '" + text + "' (rsa-sha256 or ed25519-sha256)");
    }
}
