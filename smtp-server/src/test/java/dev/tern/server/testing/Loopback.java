package dev.tern.server.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Ports on 127.0.0.1 for programs that cannot be told to bind port 0 and report it. */
public final class Loopback {
    private Loopback() {}

    /** A port nothing listens on now (another process may take it before the caller does). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A port free now on every one of {@code addresses} (loopback addresses) and below the kernel's ephemeral
     * range (32768 and up by default), so that no outgoing connection takes it as its local port before the
     * caller binds it, as one may take a port {@link #freePort()} found.
     */
    public static int freePortBelowEphemeral(String... addresses) {
        for (int attempt = 0; attempt < 100; attempt++) {
            int port = ThreadLocalRandom.current().nextInt(20_000, 32_000);
            boolean free = true;
            for (String address : addresses) {
                free &= bindable(address, port);
            }
            if (free) {
                return port;
            }
        }
        throw new IllegalStateException("no free port below the ephemeral range on " + String.join(", ", addresses));
    }

    private static boolean bindable(String address, int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(InetAddress.getByName(address), port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
