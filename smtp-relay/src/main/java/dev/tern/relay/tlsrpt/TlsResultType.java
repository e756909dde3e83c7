package dev.tern.relay.tlsrpt;

import java.util.Locale;

/** The result types of RFC 8460 4.3: why a TLS session could not be had, as a report names it. */
public enum TlsResultType {
    // 4.3.1 negotiation failures
    STARTTLS_NOT_SUPPORTED("starttls-not-supported"),
    CERTIFICATE_HOST_MISMATCH("certificate-host-mismatch"),
    CERTIFICATE_EXPIRED("certificate-expired"),
    CERTIFICATE_NOT_TRUSTED("certificate-not-trusted"),
    VALIDATION_FAILURE("validation-failure"),
    // 4.3.2 policy failures (DANE and MTA-STS); named here so reports keep one vocabulary
    TLSA_INVALID("tlsa-invalid"),
    DNSSEC_INVALID("dnssec-invalid"),
    DANE_REQUIRED("dane-required"),
    STS_POLICY_FETCH_ERROR("sts-policy-fetch-error"),
    STS_POLICY_INVALID("sts-policy-invalid"),
    STS_WEBPKI_INVALID("sts-webpki-invalid");

    private final String key;

    TlsResultType(String key) {
        this.key = key;
    }

    /** The report's spelling: {@code certificate-expired}. */
    public String key() {
        return key;
    }

    /**
     * The result type of a host's TLS failure, from the words the client and its trust manager put in the
     * diagnostic ({@code STARTTLS required but not offered}, {@code certificate not trusted: ...},
     * {@code certificate names [...], not HOST}); anything else is a {@link #VALIDATION_FAILURE}.
     */
    public static TlsResultType classify(String diagnostic) {
        String text = diagnostic.toLowerCase(Locale.ROOT);
        if (text.contains("starttls required but not offered") || text.contains("starttls:")) {
            return STARTTLS_NOT_SUPPORTED;
        }
        if (text.contains("tlsa mismatch")) {
            return TLSA_INVALID;
        }
        if (text.contains("certificate names")) {
            return CERTIFICATE_HOST_MISMATCH;
        }
        // The JDK's PKIX validator says "validity check failed" for a certificate out of its dates.
        if (text.contains("validity check failed") || text.contains("expired") || text.contains("notafter")) {
            return CERTIFICATE_EXPIRED;
        }
        if (text.contains("certificate not trusted")) {
            return CERTIFICATE_NOT_TRUSTED;
        }
        return VALIDATION_FAILURE;
    }
}
