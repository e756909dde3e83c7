package dev.tern.server.management;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Aggregates a request of at most {@code maxContent} octets of content; a larger one is answered {@code 413} with
 * the admin API's error body ({@code {"error":"too_large",...}}) before its content is read, and the connection is
 * closed (what is left of the content is never read).
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final int maxContent;

    BoundedAggregator(int maxContent) {
        super(maxContent);
        this.maxContent = maxContent;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpExchange exchange = new HttpExchange(false, HttpVersion.HTTP_1_1, false);
        String body =
                "{\"error\":\"too_large\",\"message\":\"a request's content is at most " + maxContent + " octets\"}";
        FullHttpResponse response =
                exchange.response(ctx, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, AdminHandler.JSON, body);
        exchange.send(ctx, response, false);
    }
}
