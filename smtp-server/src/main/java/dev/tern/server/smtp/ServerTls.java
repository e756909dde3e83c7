package dev.tern.server.smtp;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * Puts the server's TLS at the head of a pipeline, the same way for the implicit-TLS listener (RFC
 * 8314) and after STARTTLS (RFC 3207): the SslHandler, and in front of it the handler that refuses a
 * renegotiation by the client. The protocol versions (TLS 1.2 and 1.3 only) are the context's.
 */
final class ServerTls {
    private ServerTls() {}

    static void addFirst(ChannelPipeline pipeline, SmtpSession session) {
        SslHandler tls =
                session.services.sslContext().newHandler(pipeline.channel().alloc());
        tls.setHandshakeTimeout(session.settings.timeouts().tlsHandshake().toMillis(), TimeUnit.MILLISECONDS);
        pipeline.addFirst(PipelineNames.TLS, tls);
        // In front: it must see the client's records as they arrive, before they are decrypted.
        pipeline.addFirst(PipelineNames.TLS_RENEGOTIATION, new TlsRenegotiationHandler(session.id));
    }
}
