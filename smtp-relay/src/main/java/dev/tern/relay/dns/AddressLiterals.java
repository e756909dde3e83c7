package dev.tern.relay.dns;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import org.xbill.DNS.Address;

/** Address literals as recipient domains (RFC 5321 4.1.3): {@code [192.0.2.1]}, {@code [IPv6:::1]}. */
final class AddressLiterals {
    private static final String IPV6_TAG = "ipv6:";

    private AddressLiterals() {}

    static boolean isLiteral(String domain) {
        return domain.startsWith("[") && domain.endsWith("]");
    }

    /** A bare address as configuration writes it ({@code 192.0.2.1}, {@code ::1}), or empty for a name. */
    static Optional<InetAddress> parseBare(String text) {
        try {
            return Optional.of(Address.getByAddress(text));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }

    /** The address inside the brackets, or empty when the literal is malformed. Never asks DNS. */
    static Optional<InetAddress> parse(String literal) {
        if (!isLiteral(literal) || literal.length() < 3) {
            return Optional.empty();
        }
        String content = literal.substring(1, literal.length() - 1);
        try {
            // RFC 5321 4.1.3: IPv6 literals carry the "IPv6:" tag; an untagged literal is IPv4.
            if (content.toLowerCase(Locale.ROOT).startsWith(IPV6_TAG)) {
                return Optional.of(Address.getByAddress(content.substring(IPV6_TAG.length()), Address.IPv6));
            }
            return Optional.of(Address.getByAddress(content, Address.IPv4));
        } catch (UnknownHostException e) {
            return Optional.empty();
        }
    }
}
