package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.NettyRuntime;
import java.net.InetAddress;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * One event loop per processor by default, not Netty's two; the operator's number when given; accepted
 * connections with Nagle's algorithm off.
 */
class EventLoopsTest {

    /**
     * Replies must leave at once, not wait for the client's acknowledgement (Nagle). The listeners set no
     * option for it: the transport's own default is on, and setting it again costs a system call per
     * connection.
     */
    @Test
    void acceptedConnectionsHaveNagleOffWithNoOptionSetOnEitherTransport() throws Exception {
        EventLoops epoll = EventLoops.create();
        var nioGroup = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        EventLoops nio = new EventLoops(nioGroup, nioGroup, NioServerSocketChannel.class, NioSocketChannel.class);
        try {
            assertThat(acceptedNoDelay(epoll)).as(epoll.transport()).isTrue();
            assertThat(acceptedNoDelay(nio)).as(nio.transport()).isTrue();
        } finally {
            epoll.shutdown();
            nioGroup.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    private static boolean acceptedNoDelay(EventLoops loops) throws Exception {
        CompletableFuture<Boolean> noDelay = new CompletableFuture<>();
        Channel listener = new ServerBootstrap()
                .group(loops.acceptors(), loops.workers())
                .channel(loops.serverChannel())
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        noDelay.complete(ch.config().getOption(ChannelOption.TCP_NODELAY));
                    }
                })
                .bind(InetAddress.getLoopbackAddress(), 0)
                .sync()
                .channel();
        try (Socket client = new Socket()) {
            client.connect(listener.localAddress(), 5_000);
            return noDelay.get(10, TimeUnit.SECONDS);
        } finally {
            listener.close().sync();
        }
    }

    @Test
    void theWorkersAreOnePerProcessorTheJvmMayUse() {
        assertThat(System.getProperty(EventLoops.IO_THREADS_PROPERTY))
                .as("this test needs Netty's property unset")
                .isNull();
        assertThat(EventLoops.ioThreads(2)).isEqualTo(2);
        assertThat(EventLoops.ioThreads(16)).isEqualTo(16);
        assertThat(EventLoops.ioThreads(0)).as("never none").isEqualTo(1);
        EventLoops loops = EventLoops.create();
        try {
            assertThat(loops.workers().iterator()).toIterable().hasSize(NettyRuntime.availableProcessors());
            assertThat(loops.acceptors().iterator()).toIterable().hasSize(1);
        } finally {
            loops.shutdown();
        }
    }

    @Test
    void nettysPropertyStillSetsTheNumber() {
        System.setProperty(EventLoops.IO_THREADS_PROPERTY, "3");
        try {
            assertThat(EventLoops.ioThreads(2)).isEqualTo(3);
            EventLoops loops = EventLoops.create();
            try {
                assertThat(loops.workers().iterator()).toIterable().hasSize(3);
            } finally {
                loops.shutdown();
            }
        } finally {
            System.clearProperty(EventLoops.IO_THREADS_PROPERTY);
        }
    }
}
