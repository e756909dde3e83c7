package dev.tern.server.app;

import dev.tern.server.config.Cidr;
import dev.tern.server.config.ListenerConfig;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The addresses at which a connection reaches this server: its listeners' addresses, every interface
 * address for a listener on the wildcard address (as Postfix's {@code inet_interfaces}) and then every
 * loopback address too (Linux routes all of 127.0.0.0/8 to a wildcard socket), and {@code
 * delivery.self-addresses}, the addresses a NAT forwards here (Postfix's {@code proxy_interfaces}). A mail
 * exchanger found at one of them is ourselves under another name, whatever its port, so RFC 5321 5.1 drops
 * it and every exchanger not more preferred. Computed once at start, off any event loop.
 */
final class OwnAddresses implements Predicate<InetAddress> {
    private static final Logger log = LoggerFactory.getLogger(OwnAddresses.class);

    private final Set<InetAddress> addresses;
    private final boolean wildcard;
    private final List<Cidr> configured;

    private OwnAddresses(Set<InetAddress> addresses, boolean wildcard, List<Cidr> configured) {
        this.addresses = Set.copyOf(addresses);
        this.wildcard = wildcard;
        this.configured = List.copyOf(configured);
    }

    static OwnAddresses of(List<ListenerConfig> listeners, List<Cidr> selfAddresses) {
        Set<InetAddress> own = new HashSet<>();
        boolean wildcard = false;
        for (ListenerConfig listener : listeners) {
            try {
                InetAddress address = InetAddress.getByName(listener.address());
                if (address.isAnyLocalAddress()) {
                    wildcard = true;
                    own.addAll(interfaceAddresses());
                } else {
                    own.add(address);
                }
            } catch (UnknownHostException | SocketException e) {
                // The bind reports a bad address itself; here it only means one address fewer to recognise.
                log.warn("cannot tell the addresses of listener {}: {}", listener.name(), e.toString());
            }
        }
        OwnAddresses self = new OwnAddresses(own, wildcard, selfAddresses);
        log.info("delivery: mail exchangers at {} are this host", self);
        return self;
    }

    /**
     * Tells whether an address and port is where one of {@code listeners} takes connections: its port, and its
     * address (any address of this host for a listener on the wildcard address). The listeners' addresses are
     * read once, here.
     */
    Predicate<InetSocketAddress> listeners(List<ListenerConfig> listeners) {
        List<InetSocketAddress> bound = new ArrayList<>();
        for (ListenerConfig listener : listeners) {
            try {
                bound.add(new InetSocketAddress(InetAddress.getByName(listener.address()), listener.port()));
            } catch (UnknownHostException e) {
                // A listener whose address does not resolve takes no connections.
            }
        }
        return target -> bound.stream()
                .anyMatch(b -> b.getPort() == target.getPort()
                        && (b.getAddress().isAnyLocalAddress()
                                ? test(target.getAddress())
                                : b.getAddress().equals(target.getAddress())));
    }

    @Override
    public boolean test(InetAddress address) {
        return addresses.contains(address)
                || wildcard && address.isLoopbackAddress()
                || Cidr.anyContains(configured, address);
    }

    /**
     * True for an address literal of a mailbox's domain ({@code [192.0.2.1]}, {@code [IPv6:2001:db8::1]}, any
     * case) that names one of these addresses. Parsed as a literal only, never looked up.
     */
    boolean isOwnLiteral(String domain) {
        if (domain.length() < 3 || domain.charAt(0) != '[' || domain.charAt(domain.length() - 1) != ']') {
            return false;
        }
        String text = domain.substring(1, domain.length() - 1);
        if (text.regionMatches(true, 0, "IPv6:", 0, 5)) {
            text = text.substring(5);
            if (!NetUtil.isValidIpV6Address(text)) {
                return false;
            }
        } else if (!NetUtil.isValidIpV4Address(text)) {
            return false;
        }
        InetAddress address = NetUtil.createInetAddressFromIpAddressString(text);
        return address != null && test(address);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>(
                addresses.stream().map(InetAddress::getHostAddress).sorted().toList());
        if (wildcard) {
            parts.add("loopback");
        }
        configured.forEach(c -> parts.add(c.toString()));
        return String.join(", ", parts);
    }

    private static Set<InetAddress> interfaceAddresses() throws SocketException {
        Set<InetAddress> out = new HashSet<>();
        for (NetworkInterface nic : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            out.addAll(Collections.list(nic.getInetAddresses()));
        }
        return out;
    }
}
