package dev.tern.relay.client;

import java.util.Locale;

/**
 * Reads the value of a structured MIME field, {@code Content-Type} (RFC 2045 5.1) or
 * {@code Content-Transfer-Encoding} (RFC 2045 6.1): tokens and quoted strings, with white space and
 * comments allowed between them (RFC 2045 3 and 5.1, RFC 5322 3.2.2). A comment is parenthesised, may
 * nest and may hold quoted-pairs; one that is never closed runs to the end of the value. The value is
 * the unfolded one; tokens are compared in lower case (RFC 2045 5.1, 6.1).
 */
final class MimeFieldValue {
    /** RFC 2045 5.1: the characters that end a token (white space and controls end it too). */
    private static final String TSPECIALS = "()<>@,;:\\\"/[]?=";

    private final String value;
    private int at;

    private MimeFieldValue(String value) {
        this.value = value;
    }

    /** The mechanism of a {@code Content-Transfer-Encoding} value, in lower case; null if it names none. */
    static String transferEncoding(String value) {
        String mechanism = new MimeFieldValue(value).token();
        return mechanism == null ? null : mechanism.toLowerCase(Locale.ROOT);
    }

    /**
     * {@code type/subtype} of a {@code Content-Type} value, in lower case; only the type when no subtype
     * follows, and empty when not even a type does.
     */
    static String mediaType(String value) {
        return new MimeFieldValue(value).mediaType().toLowerCase(Locale.ROOT);
    }

    /**
     * The value of the parameter {@code name} (lower case) of a {@code Content-Type} value, unquoted; null
     * if the parameter is not there, or the value is cut short before it.
     */
    static String parameter(String value, String name) {
        MimeFieldValue reader = new MimeFieldValue(value);
        reader.mediaType();
        while (reader.skip(';')) {
            String attribute = reader.token();
            if (attribute == null) {
                continue; // an empty parameter, as in "multipart/mixed;; boundary=b"
            }
            if (!reader.skip('=')) {
                return null;
            }
            String parameterValue = reader.parameterValue();
            if (parameterValue == null) {
                return null;
            }
            if (attribute.toLowerCase(Locale.ROOT).equals(name)) {
                return parameterValue;
            }
        }
        return null;
    }

    private String mediaType() {
        String type = token();
        if (type == null) {
            return "";
        }
        String subtype = skip('/') ? token() : null;
        return subtype == null ? type : type + "/" + subtype;
    }

    /** A token or a quoted string (RFC 2045 5.1 {@code value}), the quotes and quoted-pairs undone. */
    private String parameterValue() {
        skipSpaceAndComments();
        if (at < value.length() && value.charAt(at) == '"') {
            StringBuilder text = new StringBuilder();
            for (int i = at + 1; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') {
                    at = i + 1;
                    return text.toString();
                }
                if (c == '\\' && i + 1 < value.length()) {
                    c = value.charAt(++i);
                }
                text.append(c);
            }
            return null; // never closed
        }
        return token();
    }

    /** The token after white space and comments, or null (and nothing read) when there is none. */
    private String token() {
        skipSpaceAndComments();
        int start = at;
        while (at < value.length() && isTokenChar(value.charAt(at))) {
            at++;
        }
        return at == start ? null : value.substring(start, at);
    }

    /** Reads {@code c} after white space and comments; false (and nothing read) when something else follows. */
    private boolean skip(char c) {
        skipSpaceAndComments();
        if (at < value.length() && value.charAt(at) == c) {
            at++;
            return true;
        }
        return false;
    }

    /** RFC 5322 3.2.2 CFWS: white space, and comments that may nest and hold quoted-pairs. */
    private void skipSpaceAndComments() {
        int depth = 0;
        for (; at < value.length(); at++) {
            char c = value.charAt(at);
            if (c == '(') {
                depth++;
            } else if (depth > 0 && c == ')') {
                depth--;
            } else if (depth > 0 && c == '\\') {
                at++; // a quoted-pair: the next character is only text
            } else if (depth == 0 && c != ' ' && c != '\t' && c != '\r' && c != '\n') {
                return;
            }
        }
        at = Math.min(at, value.length());
    }

    private static boolean isTokenChar(char c) {
        return c > ' ' && c != 0x7f && TSPECIALS.indexOf(c) < 0;
    }
}
