package dev.tern.server.dkim;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Optional;

/**
 * The author's domain: the domain of the address in the From field (RFC 5322 3.6.2), which picks the keys
 * (RFC 6376 d= is usually that domain, so DMARC's alignment holds). A From field with no address, or with
 * several (a mailbox-list), has no single author's domain, and the message stays unsigned.
 */
final class FromDomain {
    private FromDomain() {}

    /** The domain in ASCII (A-labels), lower case, or empty. */
    static Optional<String> of(byte[] rawField) {
        String text = new String(rawField, StandardCharsets.UTF_8);
        int colon = text.indexOf(':');
        String value = text.substring(colon + 1).replace("\r\n", "");
        String address = address(stripComments(value));
        if (address == null) {
            return Optional.empty();
        }
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            return Optional.empty();
        }
        String domain = address.substring(at + 1).strip();
        if (domain.endsWith(".")) {
            domain = domain.substring(0, domain.length() - 1);
        }
        if (domain.isEmpty() || domain.startsWith("[") || domain.chars().anyMatch(c -> c <= ' ')) {
            return Optional.empty();
        }
        try {
            return Optional.of(IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED).toLowerCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }

    /** The one address of a From value: inside the angle brackets if any, else the whole value. */
    private static String address(String value) {
        boolean quoted = false;
        int open = -1;
        int close = -1;
        int addresses = 0;
        boolean inAngle = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && quoted) {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (!quoted && c == '<') {
                open = i;
                inAngle = true;
            } else if (!quoted && c == '>' && inAngle) {
                close = i;
                inAngle = false;
            } else if (!quoted && !inAngle && c == ',') {
                addresses++;
            }
        }
        if (addresses > 0 || quoted || inAngle) {
            return null;
        }
        if (open >= 0 && close > open) {
            return value.substring(open + 1, close).strip();
        }
        String bare = value.strip();
        return bare.isEmpty() ? null : bare;
    }

    /** Drops RFC 5322 3.2.2 comments (nested parentheses), outside quoted strings. */
    private static String stripComments(String value) {
        StringBuilder out = new StringBuilder(value.length());
        int depth = 0;
        boolean quoted = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\\' && i + 1 < value.length() && (quoted || depth > 0)) {
                if (depth == 0) {
                    out.append(c).append(value.charAt(i + 1));
                }
                i++;
                continue;
            }
            if (!quoted && c == '(') {
                depth++;
            } else if (!quoted && c == ')' && depth > 0) {
                depth--;
            } else if (depth == 0) {
                if (c == '"') {
                    quoted = !quoted;
                }
                out.append(c);
            }
        }
        return out.toString();
    }
}
