package dev.tern.server.it.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Listens on a chosen loopback address and port and relays every connection, byte for byte, to a
 * target. Tern dials one destination port for every mail exchanger, while each scripted peer listens
 * on its own port; a forwarder per mail exchanger address (127.0.0.2, 127.0.0.3, ...) on the shared port
 * bridges the two. TLS passes through untouched. Half-closes are forwarded, so a peer's last reply
 * before it hangs up still arrives.
 */
final class LoopbackForwarder implements AutoCloseable {
    private final ServerSocket server;
    private final InetSocketAddress target;
    private final AtomicInteger accepted = new AtomicInteger();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();

    private LoopbackForwarder(ServerSocket server, InetSocketAddress target) {
        this.server = server;
        this.target = target;
        Thread.ofPlatform()
                .daemon()
                .name("forwarder-" + server.getLocalSocketAddress())
                .start(this::accept);
    }

    /** Binds {@code address:port} (a loopback address) and forwards to {@code target}. */
    static LoopbackForwarder start(String address, int port, InetSocketAddress target) {
        try {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(InetAddress.getByName(address), port), 50);
            return new LoopbackForwarder(server, target);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot bind " + address + ":" + port, e);
        }
    }

    /** How many connections were made to this address. */
    int connections() {
        return accepted.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                accepted.incrementAndGet();
                sockets.add(client);
                Socket upstream = new Socket();
                sockets.add(upstream);
                try {
                    upstream.connect(target, 2000);
                } catch (IOException e) {
                    // The target is gone: the client sees its connection end.
                    closeQuietly(client);
                    continue;
                }
                AtomicInteger open = new AtomicInteger(2);
                Thread.ofVirtual().start(() -> pump(client, upstream, open));
                Thread.ofVirtual().start(() -> pump(upstream, client, open));
            } catch (IOException e) {
                return;
            }
        }
    }

    /** Copies one direction; end of input becomes a half-close, the second end closes both. */
    private static void pump(Socket from, Socket to, AtomicInteger open) {
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            byte[] buf = new byte[16 * 1024];
            for (int n; (n = in.read(buf)) >= 0; ) {
                out.write(buf, 0, n);
                out.flush();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            closeQuietly(from);
            closeQuietly(to);
        } finally {
            if (open.decrementAndGet() == 0) {
                closeQuietly(from);
                closeQuietly(to);
            }
        }
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // closing anyway
        }
        sockets.forEach(LoopbackForwarder::closeQuietly);
    }
}
