package dev.tern.relay.client;

import java.net.InetSocketAddress;
import java.util.Locale;

/**
 * Connections are shared only between deliveries to the same address over the same route; a verified
 * connection only with deliveries to the same host name too, since its certificate was checked against
 * that name (two mail exchanger names may share an address).
 *
 * @param verifiedName the lower-case host name a verified route's certificate was checked for, else null
 */
record PoolKey(InetSocketAddress address, ClientRoute route, String verifiedName) {

    static PoolKey of(InetSocketAddress address, ClientRoute route, String hostName) {
        return new PoolKey(address, route, route.authenticatesServer() ? hostName.toLowerCase(Locale.ROOT) : null);
    }
}
