package dev.tern.smtp;

import java.util.Objects;

/**
 * The ESMTP parameters of MAIL FROM: SIZE (RFC 1870, -1 when absent), BODY (RFC 6152, RFC 3030),
 * SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461 4.3, 4.4; ENVID as the xtext the client sent, which is
 * passed on as it is; null when absent), AUTH (RFC 4954 5, the xtext-decoded value, null when absent) and
 * REQUIRETLS (RFC 8689 4: the message may only travel over verified TLS to hosts that promise the same).
 */
public record MailParameters(
        long size, Body body, boolean smtpUtf8, Ret ret, String envId, String auth, boolean requireTls) {

    public static final MailParameters NONE = new MailParameters(-1, Body.SEVEN_BIT, false, null, null, null);

    /** Parameters without REQUIRETLS. */
    public MailParameters(long size, Body body, boolean smtpUtf8, Ret ret, String envId, String auth) {
        this(size, body, smtpUtf8, ret, envId, auth, false);
    }

    public MailParameters {
        Objects.requireNonNull(body, "body");
        if (envId != null) {
            SmtpText.requireSingleLine(envId, "ENVID");
        }
        if (auth != null) {
            SmtpText.requireSingleLine(auth, "AUTH");
        }
    }

    /** These parameters, or {@link #NONE} when they equal it: the messages of a large queue share one. */
    public MailParameters shared() {
        return equals(NONE) ? NONE : this;
    }

    /** The same parameters with REQUIRETLS set or cleared. */
    public MailParameters withRequireTls(boolean requireTls) {
        return new MailParameters(size, body, smtpUtf8, ret, envId, auth, requireTls);
    }

    /** BODY= values. */
    public enum Body {
        SEVEN_BIT,
        EIGHT_BIT_MIME,
        BINARY_MIME
    }

    /** RET= values: return the full message or only its headers in a DSN. */
    public enum Ret {
        FULL,
        HDRS
    }
}
