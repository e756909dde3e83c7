package dev.tern.relay.client;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedDeque;

/**
 * Idle connections by address and route, so the next message to the same host skips connect,
 * greeting, EHLO and TLS. A connection leaves the pool when taken, when it dies, or when it has
 * idled for the configured time (then with QUIT).
 */
final class ConnectionPool {
    private final Map<PoolKey, ConcurrentLinkedDeque<ClientConnection>> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** An idle connection now owned by the caller, or null. */
    ClientConnection take(PoolKey key) {
        ConcurrentLinkedDeque<ClientConnection> connections = idle.get(key);
        if (connections == null) {
            return null;
        }
        ClientConnection connection;
        while ((connection = connections.pollLast()) != null) {
            if (connection.claim()) {
                return connection;
            }
        }
        return null;
    }

    /** Keeps a connection for later, or says QUIT when the pool is closed. */
    void offer(ClientConnection connection) {
        if (closed) {
            connection.quit();
            return;
        }
        ConcurrentLinkedDeque<ClientConnection> connections =
                idle.computeIfAbsent(connection.key(), k -> new ConcurrentLinkedDeque<>());
        // Parked before it is visible, so a taker can always claim what it finds.
        connection.park(() -> connections.remove(connection));
        connections.add(connection);
        if (closed) {
            close();
        }
    }

    /** Says QUIT on every idle connection; later offers are closed at once. */
    void close() {
        closed = true;
        for (ConcurrentLinkedDeque<ClientConnection> connections : idle.values()) {
            ClientConnection connection;
            while ((connection = connections.poll()) != null) {
                if (connection.claim()) {
                    connection.quit();
                }
            }
        }
    }
}
