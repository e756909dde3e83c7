package dev.tern.relay.client;

import java.net.InetSocketAddress;

/** Connections are shared only between deliveries to the same address over the same route. */
record PoolKey(InetSocketAddress address, ClientRoute route) {}
