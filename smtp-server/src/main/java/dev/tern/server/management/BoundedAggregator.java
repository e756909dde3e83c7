package dev.tern.server.management;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

/**
 * Aggregates a request of at most {@code maxContent} octets of content; a larger one is answered {@code 413} with
 * the admin API's error body ({@code {"error":"too_large",...}}) before its content is read, also when the client
 * asked {@code Expect: 100-continue}, and the connection is closed (what is left of the content is never read).
 */
final class BoundedAggregator extends HttpObjectAggregator {
    private final int maxContent;

    BoundedAggregator(int maxContent) {
        super(maxContent);
        this.maxContent = maxContent;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        ctx.writeAndFlush(tooLarge(ctx.alloc())).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    protected Object newContinueResponse(HttpMessage start, int maxContentLength, ChannelPipeline pipeline) {
        Object response = super.newContinueResponse(start, maxContentLength, pipeline);
        if (isTooLarge(response)) {
            ((FullHttpResponse) response).release();
            return tooLarge(pipeline.channel().alloc());
        }
        return response;
    }

    @Override
    protected boolean closeAfterContinueResponse(Object response) {
        return isTooLarge(response) || super.closeAfterContinueResponse(response);
    }

    private static boolean isTooLarge(Object response) {
        return response instanceof FullHttpResponse r
                && r.status().code() == HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE.code();
    }

    private FullHttpResponse tooLarge(ByteBufAllocator alloc) {
        String body =
                "{\"error\":\"too_large\",\"message\":\"a request's content is at most " + maxContent + " octets\"}";
        ByteBuf content = ByteBufUtil.writeUtf8(alloc, body);
        FullHttpResponse response =
                new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, content);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, AdminHandler.JSON)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }
}
