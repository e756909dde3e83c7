package dev.tern.server.smtp;

import dev.tern.smtp.codec.SmtpCommandDecoder;
import dev.tern.smtp.codec.SmtpLineDecoder;
import dev.tern.smtp.codec.SmtpReplyEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import java.util.concurrent.atomic.AtomicLong;

/** The whole inbound pipeline of one listener, top to bottom (ARCHITECTURE.md, "Inbound pipeline"). */
public final class SmtpServerInitializer extends ChannelInitializer<Channel> {
    private static final SmtpReplyEncoder REPLY_ENCODER = new SmtpReplyEncoder();

    private final ListenerSettings settings;
    private final SessionServices services;
    private final AtomicLong sessionCounter;
    private final String sessionPrefix;

    public SmtpServerInitializer(ListenerSettings settings, SessionServices services, AtomicLong sessionCounter) {
        this.settings = settings;
        this.services = services;
        this.sessionCounter = sessionCounter;
        this.sessionPrefix = Long.toString(System.currentTimeMillis() / 1000, 36);
        if (settings.implicitTls() && services.sslContext() == null) {
            throw new IllegalArgumentException("listener " + settings.name() + " needs TLS material");
        }
    }

    @Override
    protected void initChannel(Channel ch) {
        // A client that shuts its side down after its last command still reads the replies to it.
        ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        SmtpLineDecoder lineDecoder = new SmtpLineDecoder(settings.maxCommandLine(), settings.maxTextLine());
        String id = sessionPrefix + Long.toString(sessionCounter.incrementAndGet(), 36);
        SmtpSession session = new SmtpSession(id, ch, settings, services, lineDecoder);

        ChannelPipeline p = ch.pipeline();
        // First the client address, ahead of TLS: a PROXY header is sent before the TLS ClientHello.
        // Only the configured load balancers may (and then must) send one; the decoder leaves after it.
        boolean fromBalancer = settings.listener().takesProxyHeaderFrom(session.peer.getAddress());
        if (fromBalancer) {
            p.addLast(PipelineNames.PROXY_DECODER, new HAProxyMessageDecoder());
        }
        p.addLast(PipelineNames.CLIENT_ADDRESS, new ClientAddressHandler(session, fromBalancer));
        if (settings.implicitTls()) {
            // RFC 8314 3.3: TLS from the first byte.
            ServerTls.add(p, session);
        }
        p.addLast(PipelineNames.CONNECTION_LIMIT, new ConnectionLimitHandler(session));
        p.addLast(PipelineNames.DEADLINE, new DeadlineHandler(session));
        p.addLast(PipelineNames.LINE_DECODER, lineDecoder);
        p.addLast(PipelineNames.COMMAND_DECODER, new SmtpCommandDecoder());
        p.addLast(PipelineNames.REPLY_ENCODER, REPLY_ENCODER);
        p.addLast(PipelineNames.STARTTLS, new StartTlsHandler(session));
        p.addLast(PipelineNames.AUTH, new AuthHandler(session));
        p.addLast(PipelineNames.SESSION, new SmtpSessionHandler(session));
    }
}
