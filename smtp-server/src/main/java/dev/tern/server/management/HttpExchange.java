package dev.tern.server.management;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;

/**
 * What answering a request needs to know of it, taken before the request is released, so that an
 * answer written later (once slow work completed) still keeps or closes the connection rightly.
 *
 * @param keepAlive the client asked to keep the connection
 * @param version the request's HTTP version
 * @param head a HEAD request: headers only (RFC 9110 9.3.2)
 */
record HttpExchange(boolean keepAlive, HttpVersion version, boolean head) {

    static HttpExchange of(FullHttpRequest request) {
        return new HttpExchange(
                HttpUtil.isKeepAlive(request),
                request.protocolVersion(),
                request.method().equals(HttpMethod.HEAD));
    }

    /** A response with {@code body} as its content, for {@link #send}. */
    FullHttpResponse response(ChannelHandlerContext ctx, HttpResponseStatus status, String contentType, String body) {
        ByteBuf content = ByteBufUtil.writeUtf8(ctx.alloc(), body);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, contentType)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        if (head) {
            content.clear();
        }
        return response;
    }

    /** Writes {@code response}; the connection stays open only if the client and {@code mayKeepAlive} allow. */
    void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean mayKeepAlive) {
        if (mayKeepAlive && keepAlive) {
            if (version.equals(HttpVersion.HTTP_1_0)) {
                response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
            }
            ctx.writeAndFlush(response, ctx.voidPromise());
        } else {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
            ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
        }
    }
}
