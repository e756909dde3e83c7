package dev.tern.server.sink;

import dev.tern.smtp.codec.SmtpCommandDecoder;
import dev.tern.smtp.codec.SmtpLineDecoder;
import dev.tern.smtp.codec.SmtpReplyEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/**
 * A sink connection's pipeline, top to bottom: idle timeout, strict CRLF framing with the line limit,
 * commands, replies, the session. STARTTLS later puts an SslHandler at the head.
 */
final class SinkInitializer extends ChannelInitializer<Channel> {
    static final String TLS = "tls";
    static final String IDLE = "idle";
    static final String LINE_DECODER = "lines";
    static final String COMMAND_DECODER = "commands";
    static final String REPLY_ENCODER = "replies";
    static final String SESSION = "session";

    private static final SmtpReplyEncoder REPLIES = new SmtpReplyEncoder();

    private final Sink sink;

    SinkInitializer(Sink sink) {
        this.sink = sink;
    }

    @Override
    protected void initChannel(Channel ch) {
        SinkOptions options = sink.options;
        SmtpLineDecoder lines = new SmtpLineDecoder(options.maxLineLength(), options.maxLineLength());
        ch.pipeline()
                .addLast(IDLE, new IdleStateHandler(options.idleTimeout().toMillis(), 0, 0, TimeUnit.MILLISECONDS))
                .addLast(LINE_DECODER, lines)
                .addLast(COMMAND_DECODER, new SmtpCommandDecoder())
                .addLast(REPLY_ENCODER, REPLIES)
                .addLast(SESSION, new SinkSessionHandler(sink, lines));
    }
}
