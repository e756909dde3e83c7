package dev.tern.relay.testing;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * An HTTPS server on 127.0.0.1 (port 0) standing in for the MTA-STS policy hosts {@code mta-sts.DOMAIN}:
 * a Netty server with a certificate issued by a {@link TestCa}, answering {@code GET} by the request's
 * Host header from a table. Unknown hosts get 404; {@link #hang} makes a host never answer.
 */
public final class TestPolicyServer implements AutoCloseable {
    /** A canned answer. */
    public record Answer(int status, String contentType, String body, String location) {}

    private static final Answer HANG = new Answer(0, "", "", null);

    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final Map<String, Answer> answers = new ConcurrentHashMap<>();
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Channel server;

    private TestPolicyServer(SslContext tls) throws InterruptedException {
        server = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childHandler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline()
                                .addLast(tls.newHandler(ch.alloc()))
                                .addLast(new HttpServerCodec())
                                .addLast(new HttpObjectAggregator(1 << 20))
                                .addLast(new Responder());
                    }
                })
                .bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0))
                .sync()
                .channel();
    }

    /** Serves with a certificate for {@code names}, issued by {@code ca}. */
    public static TestPolicyServer start(TestCa ca, String... names) {
        TestCa.Issued issued = ca.issue(names);
        try {
            return new TestPolicyServer(
                    SslContextBuilder.forServer(issued.key(), issued.chain()).build());
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the policy server", e);
        }
    }

    public int port() {
        return ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Serves {@code body} as {@code text/plain} for {@code host}. */
    public TestPolicyServer policy(String host, String body) {
        return answer(host, new Answer(200, "text/plain; charset=utf-8", body, null));
    }

    public TestPolicyServer answer(String host, Answer answer) {
        answers.put(host.toLowerCase(Locale.ROOT), answer);
        return this;
    }

    /** Reads the request for {@code host} and never answers. */
    public TestPolicyServer hang(String host) {
        return answer(host, HANG);
    }

    /** The Host headers of the requests received, in order. */
    public List<String> requests() {
        return List.copyOf(requests);
    }

    @Override
    public void close() throws InterruptedException {
        if (group.isShuttingDown()) {
            return;
        }
        server.close().sync();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
    }

    private final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
            String host = request.headers().get(HttpHeaderNames.HOST, "").replaceFirst(":\\d+$", "");
            requests.add(host + request.uri());
            Answer answer =
                    answers.getOrDefault(host.toLowerCase(Locale.ROOT), new Answer(404, "text/plain", "", null));
            if (answer == HANG) {
                return;
            }
            FullHttpResponse response = new DefaultFullHttpResponse(
                    HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(answer.status()),
                    Unpooled.copiedBuffer(answer.body(), StandardCharsets.UTF_8));
            response.headers()
                    .set(HttpHeaderNames.CONTENT_TYPE, answer.contentType())
                    .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
            if (answer.location() != null) {
                response.headers().set(HttpHeaderNames.LOCATION, answer.location());
            }
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
