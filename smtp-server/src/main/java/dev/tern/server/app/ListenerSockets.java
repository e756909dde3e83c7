package dev.tern.server.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * One SMTP listener's listening sockets. On epoll every event loop has its own socket on the listener's
 * address and port ({@code SO_REUSEPORT}): the kernel spreads new connections over them, and each loop
 * accepts and serves its own, so no accepting thread wakes a loop for each connection. On NIO one socket on
 * the accepting thread hands each connection to a loop.
 *
 * <p>{@code SO_REUSEPORT} would also let another process of the same user bind the same port and take
 * part of the connections, silently. Before binding its sockets, the listener therefore binds the port
 * once without it: that fails while anything else holds the port, and anything that comes later fails
 * the same way against Tern's sockets unless it too asks to share.
 */
final class ListenerSockets {

    private static final int BACKLOG = 4096;

    private final List<Channel> channels;

    private ListenerSockets(List<Channel> channels) {
        this.channels = List.copyOf(channels);
    }

    /** Binds {@code address:port} (0: a free port, the same for every socket); fails if the port is taken. */
    static ListenerSockets bind(EventLoops loops, String address, int port, ChannelHandler childHandler)
            throws IOException, InterruptedException {
        if (!loops.sharesPorts()) {
            return new ListenerSockets(List.of(bootstrap(loops, loops.acceptors(), loops.workers(), childHandler)
                    .bind(address, port)
                    .sync()
                    .channel()));
        }
        int free = claim(address, port);
        List<Channel> channels = new ArrayList<>();
        try {
            for (EventExecutor executor : loops.workers()) {
                EventLoop loop = (EventLoop) executor;
                channels.add(bootstrap(loops, loop, loop, childHandler)
                        .option(EpollChannelOption.SO_REUSEPORT, true)
                        .bind(address, free)
                        .sync()
                        .channel());
            }
        } catch (Exception e) {
            channels.forEach(channel -> channel.close().syncUninterruptibly());
            throw e;
        }
        return new ListenerSockets(channels);
    }

    private static ServerBootstrap bootstrap(
            EventLoops loops, EventLoopGroup acceptor, EventLoopGroup worker, ChannelHandler childHandler) {
        return new ServerBootstrap()
                .group(acceptor, worker)
                .channel(loops.serverChannel())
                .option(ChannelOption.SO_BACKLOG, BACKLOG)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(childHandler);
    }

    /**
     * Binds the port alone, without {@code SO_REUSEPORT}, and lets it go: a port in use fails here as it
     * would without sharing. Returns the port, the one the system chose when {@code port} is 0.
     */
    private static int claim(String address, int port) throws IOException {
        try (ServerSocket probe = new ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(new InetSocketAddress(address, port), 1);
            return probe.getLocalPort();
        } catch (IOException e) {
            throw cannotListen(address, port, "", e);
        }
    }

    /**
     * A listener that could not bind, said the same way for every listener: which address and port ({@code
     * which} names a listener that is not an SMTP one), and why (another process holds it, most often).
     */
    static BindException cannotListen(String address, int port, String which, IOException cause) {
        BindException failure =
                new BindException("cannot listen on " + address + ":" + port + which + ": " + cause.getMessage());
        failure.initCause(cause);
        return failure;
    }

    /** The bound address, with the port chosen when configured as 0. */
    InetSocketAddress address() {
        return (InetSocketAddress) channels.get(0).localAddress();
    }

    /** How many sockets listen: one per event loop on epoll, one on NIO. */
    int sockets() {
        return channels.size();
    }

    /** Every socket is open and accepting. */
    boolean accepting() {
        return channels.stream().allMatch(Channel::isActive);
    }

    /** Stops accepting, without waiting for the sockets to close. */
    void closeAsync() {
        channels.forEach(Channel::close);
    }

    /** Stops accepting, and waits until every socket is closed. */
    void close() {
        channels.forEach(channel -> channel.close().syncUninterruptibly());
    }
}
