package dev.tern.server.management;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.function.Supplier;

/** The management listener: binds, serves {@link ManagementHandler}, and closes. */
public final class ManagementServer implements AutoCloseable {
    /** Requests carry no content worth having: anything larger is refused with 413. */
    static final int MAX_REQUEST_CONTENT = 4096;

    private static final int IDLE_SECONDS = 60;

    private final Channel channel;

    private ManagementServer(Channel channel) {
        this.channel = channel;
    }

    /**
     * Binds {@code address:port} on the given event loops (the server's own: scraping is CPU only and
     * readiness reads cached state; the admin API hands its work to the queue and writes the answer when
     * it comes). {@code admin} may be null: then {@code /admin/*} is not served. Throws if the address
     * cannot be bound.
     */
    public static ManagementServer start(
            String address,
            int port,
            EventLoopGroup acceptors,
            EventLoopGroup workers,
            Class<? extends ServerChannel> channelClass,
            Supplier<String> scrape,
            Readiness readiness,
            AdminHandler admin)
            throws InterruptedException, IOException {
        ManagementHandler handler = new ManagementHandler(scrape, readiness, admin);
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(acceptors, workers)
                .channel(channelClass)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(initializer(handler, new ManagementLimits.Shared()));
        ChannelFuture bound = bootstrap.bind(address, port).await();
        if (!bound.isSuccess()) {
            throw bound.cause() instanceof IOException e ? e : new IOException(bound.cause());
        }
        return new ManagementServer(bound.channel());
    }

    /** The pipeline of one management connection, top to bottom; {@code limits} is the listener's. */
    static ChannelInitializer<Channel> initializer(ManagementHandler handler, ManagementLimits.Shared limits) {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Channel ch) {
                ch.pipeline()
                        .addLast("idle", new ReadTimeoutHandler(IDLE_SECONDS))
                        .addLast("http", new HttpServerCodec())
                        .addLast("aggregator", new BoundedAggregator(MAX_REQUEST_CONTENT))
                        .addLast("limits", new ManagementLimits(limits))
                        .addLast("management", handler);
            }
        };
    }

    /** The bound address (its port when configured as 0). */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    public boolean isBound() {
        return channel.isActive();
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
