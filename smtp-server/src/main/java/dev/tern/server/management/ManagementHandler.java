package dev.tern.server.management;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Routes one aggregated request: {@code /metrics}, {@code /health/live}, {@code /health/ready}. */
@ChannelHandler.Sharable
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ManagementHandler.class);

    /** The Prometheus text exposition format, version 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final String TEXT = "text/plain; charset=utf-8";

    private final Supplier<String> scrape;
    private final Readiness readiness;

    ManagementHandler(Supplier<String> scrape, Readiness readiness) {
        this.scrape = scrape;
        this.readiness = readiness;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n", false);
            return;
        }
        String path = new QueryStringDecoder(request.uri()).path();
        boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
        if (!known) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", true);
        } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            // RFC 9110 15.5.6: a 405 names the methods the resource allows.
            FullHttpResponse response =
                    response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "method not allowed\n", ctx);
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            send(ctx, request, response, true);
        } else if (path.equals("/metrics")) {
            respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_TEXT, scrape.get(), true);
        } else if (path.equals("/health/live")) {
            respond(ctx, request, HttpResponseStatus.OK, TEXT, "ok\n", true);
        } else {
            List<String> failing = readiness.notReady();
            if (failing.isEmpty()) {
                respond(ctx, request, HttpResponseStatus.OK, TEXT, "ok\n", true);
            } else {
                respond(
                        ctx,
                        request,
                        HttpResponseStatus.SERVICE_UNAVAILABLE,
                        TEXT,
                        "not ready: " + String.join(", ", failing) + "\n",
                        true);
            }
        }
    }

    private static void respond(
            ChannelHandlerContext ctx,
            FullHttpRequest request,
            HttpResponseStatus status,
            String contentType,
            String body,
            boolean mayKeepAlive) {
        send(ctx, request, response(request, status, contentType, body, ctx), mayKeepAlive);
    }

    private static FullHttpResponse response(
            FullHttpRequest request,
            HttpResponseStatus status,
            String contentType,
            String body,
            ChannelHandlerContext ctx) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (request.method().equals(HttpMethod.HEAD)) {
            // RFC 9110 9.3.2: HEAD gets the headers GET would, without content.
            content.clear();
        }
        return response;
    }

    private static void send(
            ChannelHandlerContext ctx, FullHttpRequest request, FullHttpResponse response, boolean mayKeepAlive) {
        boolean keepAlive = mayKeepAlive && HttpUtil.isKeepAlive(request);
        if (keepAlive) {
            if (request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("management connection error: {}", cause.toString());
        ctx.close();
    }
}
