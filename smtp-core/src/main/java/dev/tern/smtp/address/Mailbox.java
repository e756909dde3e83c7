package dev.tern.smtp.address;

import dev.tern.smtp.SmtpText;
import java.util.Locale;
import java.util.Objects;

/**
 * A mailbox, {@code local-part@domain} (RFC 5321 4.1.2). {@code localPart} is held unquoted (the
 * quoted-string's content with quoted-pairs resolved); {@code domain} is a domain name or an address
 * literal in brackets, e.g. {@code [192.0.2.1]} or {@code [IPv6:2001:db8::1]}.
 */
public record Mailbox(String localPart, String domain) {

    public Mailbox {
        Objects.requireNonNull(localPart, "localPart");
        Objects.requireNonNull(domain, "domain");
        SmtpText.requireSingleLine(localPart, "local part");
        SmtpText.requireSingleLine(domain, "domain");
        if (localPart.isEmpty() || domain.isEmpty()) {
            throw new IllegalArgumentException("local part and domain must not be empty");
        }
        domain = SharedDomains.share(domain);
    }

    /** True when the domain is an address literal (RFC 5321 4.1.3). */
    public boolean isAddressLiteral() {
        return domain.startsWith("[");
    }

    /** The domain in lower case for comparisons and routing (domains are case-insensitive). */
    public String domainKey() {
        return domain.toLowerCase(Locale.ROOT);
    }

    /** True when any character of the address is outside US-ASCII (needs SMTPUTF8, RFC 6531). */
    public boolean needsSmtpUtf8() {
        return !isAscii(localPart) || !isAscii(domain);
    }

    /** The address as written in a path: the local part quoted when it is not a dot-string. */
    public String address() {
        return (isDotString(localPart) ? localPart : quote(localPart)) + "@" + domain;
    }

    @Override
    public String toString() {
        return address();
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) > 0x7f) {
                return false;
            }
        }
        return true;
    }

    /** Dot-string = Atom *("." Atom) (RFC 5321 4.1.2); non-ASCII counts as atext under RFC 6531. */
    static boolean isDotString(String s) {
        if (s.isEmpty() || s.charAt(0) == '.' || s.charAt(s.length() - 1) == '.' || s.contains("..")) {
            return false;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c != '.' && !isAtext(c)) {
                return false;
            }
        }
        return true;
    }

    /** atext (RFC 5322 3.2.3), extended with UTF-8 non-ASCII (RFC 6532 3.2). */
    public static boolean isAtext(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || "!#$%&'*+-/=?^_`{|}~".indexOf(c) >= 0
                || c > 0x7f;
    }

    private static String quote(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\');
            }
            sb.append(c);
        }
        return sb.append('"').toString();
    }
}
