package dev.tern.server.app;

import dev.tern.server.config.ListenerConfig;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses this server takes mail on: its listeners' addresses, every interface address for a
 * listener on the wildcard address (as Postfix's {@code inet_interfaces}). A mail exchanger found at one of
 * them is ourselves under another name, so RFC 5321 5.1 drops it and every exchanger not more preferred
 * (a backup MX whose MX record does not use its {@code hostname} would otherwise send mail to itself).
 * Computed once at start, off any event loop.
 */
final class OwnAddresses {
    private static final Logger log = LoggerFactory.getLogger(OwnAddresses.class);

    private OwnAddresses() {}

    static Set<InetAddress> of(List<ListenerConfig> listeners) {
        Set<InetAddress> own = new HashSet<>();
        for (ListenerConfig listener : listeners) {
            try {
                InetAddress address = InetAddress.getByName(listener.address());
                if (address.isAnyLocalAddress()) {
                    own.addAll(interfaceAddresses());
                } else {
                    own.add(address);
                }
            } catch (UnknownHostException | SocketException e) {
                // The bind reports a bad address itself; here it only means one address fewer to recognise.
                log.warn("cannot tell the addresses of listener {}: {}", listener.name(), e.toString());
            }
        }
        return Set.copyOf(own);
    }

    private static Set<InetAddress> interfaceAddresses() throws SocketException {
        Set<InetAddress> out = new HashSet<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            out.addAll(Collections.list(nic.getInetAddresses()));
        }
        return out;
    }
}
