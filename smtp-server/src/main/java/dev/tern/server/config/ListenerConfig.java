package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.net.InetAddress;
import java.util.List;

/**
 * One listening socket. In YAML and environment names listeners are indexed by {@code name}, which is
 * therefore never a key of its own; the loader guarantees a non-null mode and address and a port in
 * 0..65535 (0 picks a free port, for tests). Connections from {@code proxyProtocolFrom} (load balancers)
 * must begin with a PROXY protocol header naming the client; empty, the listener takes none.
 *
 * @param restrictSenders an authenticated client may only use a MAIL FROM address its user owns (on by
 *     default on every listener, see {@link ListenerBinding})
 */
public record ListenerConfig(
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String name,
        ListenerMode mode,
        String address,
        int port,
        boolean restrictSenders,
        List<Cidr> proxyProtocolFrom) {

    public ListenerConfig {
        proxyProtocolFrom = List.copyOf(proxyProtocolFrom);
    }

    /** Whether a connection from {@code peer} must begin with a PROXY protocol header. */
    public boolean takesProxyHeaderFrom(InetAddress peer) {
        return Cidr.anyContains(proxyProtocolFrom, peer);
    }
}
