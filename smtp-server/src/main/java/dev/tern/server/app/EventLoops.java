package dev.tern.server.app;

import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NettyRuntime;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.internal.SystemPropertyUtil;

/** The transport: native epoll where the platform has it, NIO otherwise (Tern's listeners, {@code tern sink}). */
public record EventLoops(
        EventLoopGroup acceptors,
        EventLoopGroup workers,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends Channel> clientChannel) {

    /** Netty's own name for the number of event loops; Tern keeps its meaning, not its default. */
    static final String IO_THREADS_PROPERTY = "io.netty.eventLoopThreads";

    public static EventLoops create() {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new EventLoops(
                new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tern-accept"), factory),
                new MultiThreadIoEventLoopGroup(ioThreads(), new DefaultThreadFactory("tern-io"), factory),
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    }

    /**
     * One event loop per processor the JVM may use (Netty's own default is two): the loops never block,
     * so more of them than processors only adds sleeps and wake-ups between them. {@code
     * -Dio.netty.eventLoopThreads=N} still sets the number.
     */
    static int ioThreads() {
        return ioThreads(NettyRuntime.availableProcessors());
    }

    /** The number of event loops on {@code processors}: Netty's property when given, at least 1. */
    static int ioThreads(int processors) {
        return Math.max(1, SystemPropertyUtil.getInt(IO_THREADS_PROPERTY, processors));
    }

    /**
     * Whether each event loop can listen on its own socket of a shared port ({@code SO_REUSEPORT}, epoll
     * only): see {@link ListenerSockets}.
     */
    boolean sharesPorts() {
        return serverChannel == EpollServerSocketChannel.class;
    }

    public String transport() {
        return sharesPorts() ? "epoll" : "nio";
    }

    public void shutdown() {
        acceptors
                .shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS)
                .syncUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
