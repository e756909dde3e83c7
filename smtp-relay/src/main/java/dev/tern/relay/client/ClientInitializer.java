package dev.tern.relay.client;

import dev.tern.smtp.codec.SmtpCommandEncoder;
import dev.tern.smtp.codec.SmtpReplyDecoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;

/** The whole client pipeline of one connection, top to bottom. */
final class ClientInitializer extends ChannelInitializer<Channel> {
    private static final SmtpCommandEncoder COMMAND_ENCODER = new SmtpCommandEncoder();

    private final ClientSessionHandler session;
    private final TlsFactory implicitTls;

    /** @param implicitTls makes the TLS handler for an implicit-TLS route, or null for plaintext first */
    ClientInitializer(ClientSessionHandler session, TlsFactory implicitTls) {
        this.session = session;
        this.implicitTls = implicitTls;
    }

    @Override
    protected void initChannel(Channel ch) {
        ChannelPipeline p = ch.pipeline();
        if (implicitTls != null) {
            // RFC 8314 3.3: TLS from the first byte; the greeting comes after the handshake.
            SslHandler tls = implicitTls.newHandler(ch);
            p.addLast(ClientPipelineNames.RECORDS_WRITTEN, session.recordsWritten());
            p.addLast(ClientPipelineNames.TLS, tls);
            session.watchHandshake(tls);
        }
        p.addLast(ClientPipelineNames.REPLY_ARRIVALS, session.arrivals());
        p.addLast(ClientPipelineNames.REPLY_DECODER, new SmtpReplyDecoder());
        p.addLast(ClientPipelineNames.COMMAND_ENCODER, COMMAND_ENCODER);
        p.addLast(ClientPipelineNames.SESSION, session);
    }

    /** Makes the TLS handler for one connection. */
    @FunctionalInterface
    interface TlsFactory {
        SslHandler newHandler(Channel ch);
    }
}
