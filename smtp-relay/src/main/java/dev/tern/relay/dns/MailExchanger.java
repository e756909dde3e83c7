package dev.tern.relay.dns;

import java.net.InetAddress;
import java.util.List;
import java.util.Objects;

/**
 * One mail exchanger: its host name, MX preference (lower is tried first) and the addresses found
 * for it, in the order they should be tried.
 */
public record MailExchanger(String host, int preference, List<InetAddress> addresses) {

    public MailExchanger {
        Objects.requireNonNull(host, "host");
        // RFC 1035 3.3.9: PREFERENCE is a 16-bit unsigned integer.
        if (preference < 0 || preference > 0xFFFF) {
            throw new IllegalArgumentException("preference must be 0..65535: " + preference);
        }
        addresses = List.copyOf(addresses);
        if (addresses.isEmpty()) {
            throw new IllegalArgumentException("a mail exchanger needs at least one address: " + host);
        }
    }
}
