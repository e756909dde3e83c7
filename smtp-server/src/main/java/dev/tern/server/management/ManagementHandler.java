package dev.tern.server.management;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Routes one aggregated request: {@code /metrics}, {@code /health/live}, {@code /health/ready} (open to
 * anyone who reaches the listener), and {@code /admin/*} to the token-guarded {@link AdminHandler}.
 */
@ChannelHandler.Sharable
final class ManagementHandler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private static final Logger log = LoggerFactory.getLogger(ManagementHandler.class);

    /** The Prometheus text exposition format, version 0.0.4. */
    static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private static final String TEXT = "text/plain; charset=utf-8";

    private final Supplier<String> scrape;
    private final Readiness readiness;
    /** The token-guarded {@code /admin/*} API, or null when the listener serves none. */
    private final AdminHandler admin;

    ManagementHandler(Supplier<String> scrape, Readiness readiness, AdminHandler admin) {
        this.scrape = scrape;
        this.readiness = readiness;
        this.admin = admin;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (!ctx.channel().isWritable()) {
            // The answers sent before are still unread: a client that sends requests ahead and reads nothing
            // would have every answer (a scrape is large) piled up in memory. It is closed instead.
            log.debug(
                    "management: {} sent requests ahead of unread answers; closing",
                    ctx.channel().remoteAddress());
            ctx.close();
            return;
        }
        if (request.decoderResult().isFailure()) {
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request\n", false);
            return;
        }
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String path;
        try {
            path = uri.path();
        } catch (IllegalArgumentException e) {
            // A % not followed by two hex digits: no resource has such a path (RFC 3986 2.1).
            respond(ctx, request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request: malformed path\n", true);
            return;
        }
        if (path.equals("/admin") || path.startsWith("/admin/")) {
            if (admin == null) {
                respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", true);
            } else {
                admin.handle(ctx, request, uri);
            }
            return;
        }
        boolean known = path.equals("/metrics") || path.equals("/health/live") || path.equals("/health/ready");
        if (!known) {
            respond(ctx, request, HttpResponseStatus.NOT_FOUND, TEXT, "not found\n", true);
        } else if (!request.method().equals(HttpMethod.GET) && !request.method().equals(HttpMethod.HEAD)) {
            // RFC 9110 15.5.6: a 405 names the methods the resource allows.
            HttpExchange exchange = HttpExchange.of(request);
            FullHttpResponse response =
                    exchange.response(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT, "method not allowed\n");
            response.headers().set(HttpHeaderNames.ALLOW, "GET, HEAD");
            exchange.send(ctx, response, true);
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
        HttpExchange exchange = HttpExchange.of(request);
        exchange.send(ctx, exchange.response(ctx, status, contentType, body), mayKeepAlive);
    }

    /** Reads no more from a client while its answers wait to be written (the classic back-pressure). */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        ctx.channel().config().setAutoRead(ctx.channel().isWritable());
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("management connection error: {}", cause.toString());
        ctx.close();
    }
}
