package dev.tern.server.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Ports on 127.0.0.1 for programs that cannot be told to bind port 0 and report it. */
public final class Loopback {
    private Loopback() {}

    /** A port nothing listens on now (another process may take it before the caller does). */
    public static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
