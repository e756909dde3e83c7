package dev.tern.server.dkim;

import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/**
 * The DNS TXT record that publishes a public key (RFC 6376 3.6.1), at {@code SELECTOR._domainkey.DOMAIN}:
 * {@code v=DKIM1; k=rsa; p=...} with the key's SubjectPublicKeyInfo, or {@code k=ed25519} with the bare
 * 32-octet public key (RFC 8463 4).
 */
public final class DkimKeyRecord {
    /** RFC 1035 3.3.14: one character-string of a TXT record holds at most 255 octets. */
    public static final int MAX_STRING = 255;

    /** The DER prefix of an Ed25519 SubjectPublicKeyInfo (RFC 8410 4) before the 32 key octets. */
    private static final int ED25519_SPKI_PREFIX = 12;

    private DkimKeyRecord() {}

    /** The owner name of the record: {@code SELECTOR._domainkey.DOMAIN} (RFC 6376 3.6.2.1). */
    public static String name(String selector, String domain) {
        return selector + "._domainkey." + domain;
    }

    /** The record's text, whole. */
    public static String text(DkimAlgorithm algorithm, PublicKey key) {
        byte[] encoded = key.getEncoded();
        byte[] p = algorithm == DkimAlgorithm.ED25519_SHA256
                ? Arrays.copyOfRange(encoded, ED25519_SPKI_PREFIX, encoded.length)
                : encoded;
        return "v=DKIM1; k=" + algorithm.keyType() + "; p="
                + Base64.getEncoder().encodeToString(p);
    }

    /** The text cut into character-strings of at most {@value #MAX_STRING} octets, as DNS carries it. */
    public static List<String> strings(String text) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < text.length(); i += MAX_STRING) {
            out.add(text.substring(i, Math.min(text.length(), i + MAX_STRING)));
        }
        return List.copyOf(out);
    }

    /** The record in zone file syntax: {@code NAME. IN TXT "..." "..."}. */
    public static String zoneLine(String selector, String domain, String text) {
        StringBuilder line = new StringBuilder(name(selector, domain)).append(". IN TXT");
        for (String s : strings(text)) {
            line.append(" \"").append(s).append('"');
        }
        return line.toString();
    }
}
