package dev.tern.smtp.address;

import java.util.Locale;

/**
 * Syntax of the address literals a mailbox may name instead of a domain (RFC 5321 4.1.3). Checked
 * by a small parser of our own: nothing here resolves names or touches the network.
 */
final class AddressLiteral {
    private static final String IPV6_TAG = "ipv6:";

    private AddressLiteral() {}

    /** True for the text between the brackets of an IPv4 or IPv6 address literal. */
    static boolean isValid(String content) {
        // RFC 5321 4.1.3: Standardized-tag "IPv6"; ABNF literals are case-insensitive (RFC 5234 2.3).
        if (content.length() > IPV6_TAG.length()
                && content.substring(0, IPV6_TAG.length())
                        .toLowerCase(Locale.ROOT)
                        .equals(IPV6_TAG)) {
            return isIpv6(content.substring(IPV6_TAG.length()));
        }
        // General-address-literal: no other tag is registered, so anything else is refused.
        return isIpv4(content);
    }

    /** IPv4-address-literal = Snum 3("." Snum), Snum = 1*3DIGIT with a value of 0..255. */
    static boolean isIpv4(String s) {
        String[] parts = s.split("\\.", -1);
        if (parts.length != 4) {
            return false;
        }
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !allDigits(part) || Integer.parseInt(part) > 255) {
                return false;
            }
        }
        return true;
    }

    /**
     * IPv6-full, IPv6-comp, IPv6v4-full and IPv6v4-comp (RFC 5321 4.1.3): eight 16-bit groups, or
     * fewer with one "::" standing for at least two zero groups; a trailing IPv4 address counts as two.
     */
    static boolean isIpv6(String s) {
        int compression = s.indexOf("::");
        if (compression >= 0 && s.indexOf("::", compression + 1) >= 0) {
            return false;
        }
        if (compression < 0) {
            int groups = countGroups(s, true);
            return groups == 8;
        }
        String head = s.substring(0, compression);
        String tail = s.substring(compression + 2);
        int headGroups = head.isEmpty() ? 0 : countGroups(head, false);
        int tailGroups = tail.isEmpty() ? 0 : countGroups(tail, true);
        if (headGroups < 0 || tailGroups < 0) {
            return false;
        }
        // "No more than 6 groups in addition to the '::' may be present."
        return headGroups + tailGroups <= 6;
    }

    /** Number of 16-bit groups in a colon-separated run, or -1 when malformed. */
    private static int countGroups(String run, boolean ipv4Allowed) {
        String[] parts = run.split(":", -1);
        int groups = 0;
        for (int i = 0; i < parts.length; i++) {
            String part = parts[i];
            if (ipv4Allowed && i == parts.length - 1 && part.indexOf('.') >= 0) {
                if (!isIpv4(part)) {
                    return -1;
                }
                groups += 2;
            } else if (isHexGroup(part)) {
                groups++;
            } else {
                return -1;
            }
        }
        return groups;
    }

    private static boolean isHexGroup(String part) {
        if (part.isEmpty() || part.length() > 4) {
            return false;
        }
        for (int i = 0; i < part.length(); i++) {
            if (Character.digit(part.charAt(i), 16) < 0 || part.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    private static boolean allDigits(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }
}
