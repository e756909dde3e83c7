package dev.tern.relay.client;

import dev.tern.relay.delivery.DeliveryRequest;
import dev.tern.relay.metrics.DeliveryMetrics;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

/** An event loop group, a client and helpers to build requests; closes everything it made. */
final class ClientFixture implements AutoCloseable {
    final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    private final List<SmtpClient> clients = new ArrayList<>();
    private final List<ByteBuf> contents = new ArrayList<>();
    /** What the clients told their metrics of sessions and TLS, in order: "tls", "plaintext", "tls failed". */
    final List<String> reported = new CopyOnWriteArrayList<>();

    private final DeliveryMetrics metrics = new DeliveryMetrics() {
        @Override
        public void outboundConnection(boolean tls) {
            reported.add(tls ? "tls" : "plaintext");
        }

        @Override
        public void outboundTlsFailed() {
            reported.add("tls failed");
        }
    };

    /** Short timeouts so failures show within a test's patience. */
    static SmtpClientOptions options() {
        return SmtpClientOptions.defaults("client.test")
                .withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(5))
                .withIdleTimeout(Duration.ofSeconds(30), 100);
    }

    SmtpClient client(SmtpClientOptions options) {
        SmtpClient client = new SmtpClient(group, NioSocketChannel.class, options, metrics);
        clients.add(client);
        return client;
    }

    AttemptResult deliver(SmtpClient client, InetSocketAddress address, ClientRoute route, DeliveryRequest request)
            throws Exception {
        return client.deliver(address, "peer.test", route, request)
                .toCompletableFuture()
                .get(20, TimeUnit.SECONDS);
    }

    DeliveryRequest request(String content, String... recipients) {
        return request(MailParameters.NONE, "sender@origin.test", content, recipients);
    }

    DeliveryRequest request(MailParameters parameters, String sender, String content, String... recipients) {
        List<RcptTo> rcpts = new ArrayList<>();
        for (String r : recipients) {
            rcpts.add(new RcptTo(mailbox(r), RcptParameters.NONE));
        }
        return request(new Envelope(new ReversePath(mailbox(sender)), rcpts, parameters), content);
    }

    DeliveryRequest request(Envelope envelope, String content) {
        ByteBuf buf = Unpooled.copiedBuffer(content, StandardCharsets.UTF_8);
        contents.add(buf);
        List<Integer> all =
                IntStream.range(0, envelope.recipients().size()).boxed().toList();
        return new DeliveryRequest(new QueueId("Q1"), envelope, all, buf);
    }

    static Mailbox mailbox(String address) {
        int at = address.lastIndexOf('@');
        return new Mailbox(address.substring(0, at), address.substring(at + 1));
    }

    @Override
    public void close() throws Exception {
        clients.forEach(SmtpClient::close);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).sync();
        contents.forEach(ByteBuf::release);
    }
}
