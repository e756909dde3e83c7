package dev.tern.relay.tls;

import dev.tern.relay.client.PeerCheck;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateEncodingException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * DANE's check of a mail exchanger's certificate chain against its usable TLSA records (RFC 7672 3.1, RFC
 * 7671 5): the chain passes when one record matches.
 *
 * <ul>
 *   <li>DANE-EE(3): the leaf matches; neither its names nor its dates are checked (RFC 7672 3.1.1).
 *   <li>DANE-TA(2): a certificate above the leaf in the presented chain matches, every certificate below it
 *       is signed by the next and within its dates, and the leaf names the TLSA base domain, the mail
 *       exchanger's name, as RFC 6125 matches it for SMTP ({@link HostNames}; RFC 7672 3.2.2, 3.2.3).
 * </ul>
 *
 * Selectors 0 (the whole certificate) and 1 (its SubjectPublicKeyInfo), matching types 0 (the content), 1
 * (SHA-256) and 2 (SHA-512). A value: equal checks (same host, same records) accept the same chains.
 */
public final class TlsaCheck implements PeerCheck {
    /** How every mismatch begins, so a report says it in the same words. */
    public static final String MISMATCH = "TLSA mismatch";

    private final String host;
    private final List<Tlsa> records;
    private final Clock clock;

    /**
     * @param host the TLSA base domain: the mail exchanger's name
     * @param records usable records only (see {@link Tlsa#usable()}), at least one
     */
    public TlsaCheck(String host, List<Tlsa> records, Clock clock) {
        this.host = host.toLowerCase(Locale.ROOT);
        this.records = List.copyOf(records);
        this.clock = clock;
        if (this.records.isEmpty() || !this.records.stream().allMatch(Tlsa::usable)) {
            throw new IllegalArgumentException("a TLSA check needs usable records: " + records);
        }
    }

    public String host() {
        return host;
    }

    public List<Tlsa> records() {
        return records;
    }

    @Override
    public Optional<String> mismatch(List<X509Certificate> chain) {
        if (chain.isEmpty()) {
            return Optional.of(MISMATCH + ": no certificate");
        }
        String nameProblem = null;
        for (Tlsa record : records) {
            if (record.usage() == Tlsa.DANE_EE) {
                if (matches(record, chain.get(0))) {
                    return Optional.empty();
                }
                continue;
            }
            for (int i = 1; i < chain.size(); i++) {
                if (matches(record, chain.get(i))) {
                    String problem = belowAnchor(chain, i);
                    if (problem == null) {
                        return Optional.empty();
                    }
                    nameProblem = problem;
                }
            }
        }
        return Optional.of(MISMATCH + ": no record of " + records.size() + " for " + host + " matches"
                + (nameProblem == null ? "" : " (a DANE-TA record matched, but " + nameProblem + ")"));
    }

    @Override
    public String describe() {
        return "DANE";
    }

    /** Null when the chain from the leaf up to the trust anchor at {@code anchor} holds, else why not. */
    private String belowAnchor(List<X509Certificate> chain, int anchor) {
        Date now = Date.from(clock.instant());
        for (int i = 0; i < anchor; i++) {
            X509Certificate certificate = chain.get(i);
            X509Certificate issuer = chain.get(i + 1);
            try {
                certificate.checkValidity(now);
                if (!certificate.getIssuerX500Principal().equals(issuer.getSubjectX500Principal())) {
                    return "certificate " + i + " is not issued by the next";
                }
                certificate.verify(issuer.getPublicKey());
            } catch (CertificateException e) {
                return "certificate " + i + " is outside its dates";
            } catch (GeneralSecurityException e) {
                return "certificate " + i + " is not signed by the next";
            }
        }
        if (!HostNames.certificateNames(chain.get(0), host)) {
            return "the certificate names " + HostNames.names(chain.get(0)) + ", not " + host;
        }
        return null;
    }

    /** RFC 6698 2.1.2, 2.1.3: the selected content, digested as the record says, equals its data. */
    static boolean matches(Tlsa record, X509Certificate certificate) {
        byte[] selected;
        try {
            selected = record.selector() == Tlsa.CERT
                    ? certificate.getEncoded()
                    : certificate.getPublicKey().getEncoded();
        } catch (CertificateEncodingException e) {
            return false;
        }
        byte[] expected = HexFormat.of().parseHex(record.data());
        byte[] actual =
                switch (record.matchingType()) {
                    case Tlsa.FULL -> selected;
                    case Tlsa.SHA256 -> digest("SHA-256", selected);
                    case Tlsa.SHA512 -> digest("SHA-512", selected);
                    default -> null;
                };
        return actual != null && MessageDigest.isEqual(expected, actual);
    }

    private static byte[] digest(String algorithm, byte[] content) {
        try {
            return MessageDigest.getInstance(algorithm).digest(content);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has " + algorithm, e);
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof TlsaCheck that && host.equals(that.host) && records.equals(that.records);
    }

    @Override
    public int hashCode() {
        return Objects.hash(host, records);
    }

    @Override
    public String toString() {
        return "TLSA " + host + " " + records;
    }
}
