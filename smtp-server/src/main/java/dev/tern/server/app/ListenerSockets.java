package dev.tern.server.app;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.unix.UnixChannel;
import io.netty.util.concurrent.EventExecutor;
import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One SMTP listener's listening sockets. On epoll every event loop has its own socket on the listener's
 * address and port ({@code SO_REUSEPORT}): the kernel spreads new connections over them, and each loop
 * accepts and serves its own, so no accepting thread wakes a loop for each connection. On NIO one socket on
 * the accepting thread hands each connection to a loop.
 *
 * <p>{@code SO_REUSEPORT} would also let another process of the same user bind the same port and take
 * part of the connections, silently. Before binding its sockets, the listener therefore binds the port
 * once without it: that fails while anything else holds the port, and anything that comes later fails
 * the same way against Tern's sockets unless it too asks to share. Another Tern that claims the port in
 * the moment between that claim and the sockets' binds does ask to share: once bound, the listener lists
 * the port's listening sockets ({@link PortListeners}) and gives up if any is not its own.
 */
final class ListenerSockets {

    private static final Logger LOG = LoggerFactory.getLogger(ListenerSockets.class);
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
        return bindShared(loops, address, claim(address, port), childHandler);
    }

    /**
     * Binds one socket per event loop on a port just claimed, then makes sure no other socket listens there:
     * a process that claimed the same port in the moment between the claim and these binds (two Terns
     * started at once) would share it, each taking part of the connections into its own spool.
     */
    static ListenerSockets bindShared(EventLoops loops, String address, int port, ChannelHandler childHandler)
            throws IOException, InterruptedException {
        List<Channel> channels = new ArrayList<>();
        try {
            for (EventExecutor executor : loops.workers()) {
                EventLoop loop = (EventLoop) executor;
                channels.add(bootstrap(loops, loop, loop, childHandler)
                        .option(EpollChannelOption.SO_REUSEPORT, true)
                        .bind(address, port)
                        .sync()
                        .channel());
            }
            Set<Long> others = others(channels);
            if (!others.isEmpty()) {
                throw cannotListen(
                        address,
                        port,
                        "",
                        new IOException("another process listens on it too, sharing"
                                + " it with SO_REUSEPORT (socket inodes " + others + ")"));
            }
        } catch (Exception e) {
            channels.forEach(channel -> channel.close().syncUninterruptibly());
            throw e;
        }
        return new ListenerSockets(channels);
    }

    /**
     * The sockets listening on the channels' address and port that are not theirs; none when the kernel's
     * table cannot be read (a sandbox without {@code /proc}), which is said in the log.
     */
    private static Set<Long> others(List<Channel> channels) {
        try {
            Set<Long> own = new HashSet<>();
            for (Channel channel : channels) {
                own.add(PortListeners.socketInode(((UnixChannel) channel).fd().intValue()));
            }
            return PortListeners.sharing(own);
        } catch (IOException | RuntimeException e) {
            LOG.warn(
                    "cannot tell whether another process shares {} with SO_REUSEPORT: {}",
                    channels.get(0).localAddress(),
                    e.toString());
            return Set.of();
        }
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
        // The system's words only: a native transport says "bind(..) failed with error(-98): " before them.
        String why = String.valueOf(cause.getMessage())
                .replaceFirst("^\\w+\\(\\.\\.\\) failed with error\\(-?\\d+\\): ", "");
        BindException failure = new BindException("cannot listen on " + address + ":" + port + which + ": " + why);
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

    /** The sockets listening on this listener's port that are not its own. */
    Set<Long> others() {
        return others(channels);
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
