package dev.tern.smtp;

import java.util.Map;

/**
 * Reads the values of the MAIL parameters Tern understands: SIZE (RFC 1870), BODY (RFC 6152,
 * RFC 3030), SMTPUTF8 (RFC 6531), RET and ENVID (RFC 3461 4.3, 4.4), AUTH (RFC 4954 5) and REQUIRETLS
 * (RFC 8689 4). Whether REQUIRETLS is allowed at all (only under TLS) is the session's question, not syntax.
 */
final class MailParameterValues {
    /** RFC 1870 6: size-value = 1*20DIGIT. */
    private static final int MAX_SIZE_DIGITS = 20;
    /** RFC 3461 4.4: an envelope identifier is at most 100 characters. */
    private static final int MAX_ENVID = 100;

    private MailParameterValues() {}

    static ParseResult<MailParameters> interpret(Map<String, String> raw) {
        long size = -1;
        MailParameters.Body body = MailParameters.Body.SEVEN_BIT;
        boolean smtpUtf8 = false;
        MailParameters.Ret ret = null;
        String envId = null;
        String auth = null;
        boolean requireTls = false;
        for (Map.Entry<String, String> e : raw.entrySet()) {
            String key = e.getKey();
            String value = e.getValue();
            boolean ok;
            switch (key) {
                case "SIZE" -> {
                    size = size(value);
                    ok = size >= 0;
                }
                case "BODY" -> {
                    body = body(value);
                    ok = body != null;
                }
                case "SMTPUTF8" -> {
                    // RFC 6531 3.4: the parameter takes no value.
                    smtpUtf8 = true;
                    ok = value == null;
                }
                case "REQUIRETLS" -> {
                    // RFC 8689 4: "No value is associated with this parameter."
                    requireTls = true;
                    ok = value == null;
                }
                case "RET" -> {
                    ret = ret(value);
                    ok = ret != null;
                }
                case "ENVID" -> {
                    envId = value;
                    // RFC 3461 4.4: printable US-ASCII once decoded; a control character is refused
                    ok = value != null && value.length() <= MAX_ENVID && Xtext.isPrintable(value);
                }
                case "AUTH" -> {
                    ok = value != null && isAuth(value);
                    // RFC 4954 5: "<>" means the submitter is not known to be trustworthy: no identity.
                    auth = ok && !value.equals("<>") ? Xtext.decode(value) : null;
                }
                default -> {
                    return ParseResult.rejected(SmtpReplies.UNKNOWN_PARAMETER);
                }
            }
            if (!ok) {
                return ParseResult.rejected(EsmtpParameters.badValue(key));
            }
        }
        return ParseResult.parsed(new MailParameters(size, body, smtpUtf8, ret, envId, auth, requireTls).shared());
    }

    /** The declared size, Long.MAX_VALUE when it does not fit a long, -1 when malformed. */
    private static long size(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_SIZE_DIGITS) {
            return -1;
        }
        long size = 0;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            if (size > (Long.MAX_VALUE - (c - '0')) / 10) {
                size = Long.MAX_VALUE; // beyond any limit; still well-formed, so the limit check rejects it
            } else if (size != Long.MAX_VALUE) {
                size = size * 10 + (c - '0');
            }
        }
        return size;
    }

    private static MailParameters.Body body(String value) {
        if (value == null) {
            return null;
        }
        return switch (SmtpText.asciiUpperCase(value)) {
            case "7BIT" -> MailParameters.Body.SEVEN_BIT;
            case "8BITMIME" -> MailParameters.Body.EIGHT_BIT_MIME;
            case "BINARYMIME" -> MailParameters.Body.BINARY_MIME;
            default -> null;
        };
    }

    private static MailParameters.Ret ret(String value) {
        if (value == null) {
            return null;
        }
        return switch (SmtpText.asciiUpperCase(value)) {
            case "FULL" -> MailParameters.Ret.FULL;
            case "HDRS" -> MailParameters.Ret.HDRS;
            default -> null;
        };
    }

    /** AUTH = xtext / "<>"; the decoded identity must be printable (it lands in headers and logs). */
    private static boolean isAuth(String value) {
        return value.equals("<>") || Xtext.isPrintable(value) && !value.isEmpty();
    }
}
