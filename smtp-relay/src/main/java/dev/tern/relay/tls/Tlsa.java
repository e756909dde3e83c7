package dev.tern.relay.tls;

import java.util.HexFormat;
import java.util.Locale;
import org.xbill.DNS.TLSARecord;

/**
 * One TLSA record (RFC 6698 2.1) as DANE for SMTP reads it (RFC 7672 3.1): its certificate usage, selector,
 * matching type and certificate association data (kept as lower-case hex, so records compare as values).
 */
public record Tlsa(int usage, int selector, int matchingType, String data) {
    /** RFC 7218: the trust anchor of the chain (2) and the end entity itself (3). */
    public static final int DANE_TA = 2;

    public static final int DANE_EE = 3;
    /** RFC 6698 2.1.2: the whole certificate (0), or its SubjectPublicKeyInfo (1). */
    public static final int CERT = 0;

    public static final int SPKI = 1;
    /** RFC 6698 2.1.3: the selected content itself (0), its SHA-256 (1) or SHA-512 (2) digest. */
    public static final int FULL = 0;

    public static final int SHA256 = 1;
    public static final int SHA512 = 2;

    public Tlsa {
        data = data.toLowerCase(Locale.ROOT);
    }

    public static Tlsa of(TLSARecord record) {
        return new Tlsa(
                record.getCertificateUsage(),
                record.getSelector(),
                record.getMatchingType(),
                HexFormat.of().formatHex(record.getCertificateAssociationData()));
    }

    /**
     * RFC 7672 3.1.3: PKIX-TA(0) and PKIX-EE(1) are not used for SMTP, and unknown selectors or matching types
     * cannot be matched; such records are "unusable", and an RRset of nothing else is as if there were none.
     */
    public boolean usable() {
        return (usage == DANE_TA || usage == DANE_EE)
                && (selector == CERT || selector == SPKI)
                && (matchingType == FULL || matchingType == SHA256 || matchingType == SHA512)
                && !data.isEmpty();
    }

    /** Zone-file form, for log lines: {@code 3 1 1 ab12...}. */
    @Override
    public String toString() {
        return usage + " " + selector + " " + matchingType + " " + data;
    }
}
