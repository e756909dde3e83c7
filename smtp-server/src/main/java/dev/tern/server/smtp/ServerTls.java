package dev.tern.server.smtp;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SslHandler;
import java.util.concurrent.TimeUnit;

/**
 * Puts the server's TLS into a pipeline, the same way for the implicit-TLS listener (RFC 8314) and after
 * STARTTLS (RFC 3207): right behind the handler that decides the client address while it is there (a
 * PROXY header comes before the TLS ClientHello), else at the head; in front of it the handler that refuses a renegotiation by the client, then the
 * SslHandler. The protocol versions (TLS 1.2 and 1.3 only) are the context's; the handshake is bounded by
 * {@code timeouts.tls-handshake}, and one that fails is counted ({@code smtp.server.tls.failures}).
 */
final class ServerTls {
    private ServerTls() {}

    static void add(ChannelPipeline pipeline, SmtpSession session) {
        SslHandler tls =
                session.services.sslContext().newHandler(pipeline.channel().alloc());
        tls.setHandshakeTimeout(session.settings.timeouts().tlsHandshake().toMillis(), TimeUnit.MILLISECONDS);
        tls.handshakeFuture().addListener(done -> {
            if (!done.isSuccess()) {
                session.services.metrics().tlsFailed(session.settings.name());
            }
        });
        if (pipeline.get(PipelineNames.CLIENT_ADDRESS) != null) {
            pipeline.addAfter(PipelineNames.CLIENT_ADDRESS, PipelineNames.TLS, tls);
        } else {
            // The client address handler leaves once the first octets showed no PROXY header.
            pipeline.addFirst(PipelineNames.TLS, tls);
        }
        // In front: it must see the client's records as they arrive, before they are decrypted.
        pipeline.addBefore(PipelineNames.TLS, PipelineNames.TLS_RENEGOTIATION, new TlsRenegotiationHandler(session.id));
    }
}
