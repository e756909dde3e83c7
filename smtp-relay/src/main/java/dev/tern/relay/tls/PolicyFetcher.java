package dev.tern.relay.tls;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Fetches {@code https://mta-sts.DOMAIN/.well-known/mta-sts.txt} (RFC 8461 3.3) over Netty: the policy
 * host's certificate is verified (chain and name, RFC 2818) with the name sent as SNI; a redirect is a
 * failure (3.3: "MUST NOT follow redirects"), as are any status but 200, a content type other than
 * {@code text/plain}, and a body over the size bound. Connect and the whole exchange share one time
 * bound. Runs on the event loop, never blocking it.
 */
final class PolicyFetcher {
    static final String PATH = "/.well-known/mta-sts.txt";

    private final EventLoopGroup group;
    private final Class<? extends Channel> channelClass;
    private final SslContext https;
    private final int port;
    private final Duration timeout;
    private final int maxBytes;

    /** @param port 443 but in tests */
    PolicyFetcher(
            EventLoopGroup group,
            Class<? extends Channel> channelClass,
            SslContext https,
            int port,
            Duration timeout,
            int maxBytes) {
        this.group = group;
        this.channelClass = channelClass;
        this.https = https;
        this.port = port;
        this.timeout = timeout;
        this.maxBytes = maxBytes;
    }

    /** The policy text from {@code host} ({@code mta-sts.DOMAIN}) at {@code address}; fails with the reason. */
    CompletionStage<String> fetch(String host, InetAddress address) {
        CompletableFuture<String> body = new CompletableFuture<>();
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(channelClass)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) timeout.toMillis())
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        // SNI and the name the certificate must show are the policy host's (RFC 8461 3.3).
                        SslHandler tls = https.newHandler(ch.alloc(), host, port);
                        ch.pipeline()
                                .addLast("tls", tls)
                                .addLast("http", new HttpClientCodec())
                                .addLast("aggregator", new HttpObjectAggregator(maxBytes))
                                .addLast("policy", new ResponseHandler(body));
                    }
                });
        bootstrap.connect(new InetSocketAddress(address, port)).addListener(connected -> {
            if (!connected.isSuccess()) {
                body.completeExceptionally(new PolicyFetchException(
                        "cannot connect: " + connected.cause().getMessage()));
                return;
            }
            Channel channel = ((io.netty.channel.ChannelFuture) connected).channel();
            var timer = channel.eventLoop()
                    .schedule(
                            () -> body.completeExceptionally(new PolicyFetchException(
                                    "no complete answer within " + timeout.toMillis() + " ms")),
                            timeout.toNanos(),
                            TimeUnit.NANOSECONDS);
            body.whenComplete((text, failure) -> {
                timer.cancel(false);
                channel.close();
            });
            // Behind the current task: a handler closes first and reports why (TLS, size) right after.
            channel.closeFuture().addListener(closed -> channel.eventLoop()
                    .execute(() -> body.completeExceptionally(
                            new PolicyFetchException("the connection closed before a complete answer"))));
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, PATH);
            request.headers()
                    .set(HttpHeaderNames.HOST, host)
                    .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                    .set(HttpHeaderNames.ACCEPT, "text/plain");
            channel.writeAndFlush(request);
        });
        return body;
    }

    /** Why a policy could not be fetched; its message goes to the log line. */
    static final class PolicyFetchException extends Exception {
        PolicyFetchException(String reason) {
            super(reason, null, false, false);
        }
    }

    /** Takes the one response, or the first failure. */
    private static final class ResponseHandler extends SimpleChannelInboundHandler<FullHttpResponse> {
        private final CompletableFuture<String> body;

        ResponseHandler(CompletableFuture<String> body) {
            this.body = body;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, FullHttpResponse response) {
            HttpResponseStatus status = response.status();
            String type = response.headers().get(HttpHeaderNames.CONTENT_TYPE, "");
            if (status.code() != 200) {
                // RFC 8461 3.3: a redirect is not followed; any other status is no policy either.
                body.completeExceptionally(new PolicyFetchException("HTTP " + status));
            } else if (!type.toLowerCase(Locale.ROOT).startsWith("text/plain")) {
                body.completeExceptionally(new PolicyFetchException("content type is not text/plain: " + type));
            } else {
                body.complete(response.content().toString(StandardCharsets.UTF_8));
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            String reason = cause.getCause() != null ? cause.getCause().getMessage() : cause.getMessage();
            body.completeExceptionally(new PolicyFetchException(cause.getClass().getSimpleName() + ": " + reason));
            ctx.close();
        }
    }
}
