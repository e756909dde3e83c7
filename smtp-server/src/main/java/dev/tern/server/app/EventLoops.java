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
import io.netty.util.concurrent.DefaultThreadFactory;

/** The transport: native epoll where the platform has it, NIO otherwise (Tern's listeners, {@code tern sink}). */
public record EventLoops(
        EventLoopGroup acceptors,
        EventLoopGroup workers,
        Class<? extends ServerChannel> serverChannel,
        Class<? extends Channel> clientChannel) {

    public static EventLoops create() {
        boolean epoll = Epoll.isAvailable();
        IoHandlerFactory factory = epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory();
        return new EventLoops(
                new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("tern-accept"), factory),
                new MultiThreadIoEventLoopGroup(0, new DefaultThreadFactory("tern-io"), factory),
                epoll ? EpollServerSocketChannel.class : NioServerSocketChannel.class,
                epoll ? EpollSocketChannel.class : NioSocketChannel.class);
    }

    public String transport() {
        return serverChannel == EpollServerSocketChannel.class ? "epoll" : "nio";
    }

    public void shutdown() {
        acceptors
                .shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS)
                .syncUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
    }
}
