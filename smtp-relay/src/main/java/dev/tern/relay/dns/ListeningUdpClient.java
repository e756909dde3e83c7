package dev.tern.relay.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.ScheduledFuture;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.xbill.DNS.DNSInput;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.io.DefaultIoClientFactory;
import org.xbill.DNS.io.IoClientFactory;
import org.xbill.DNS.io.TcpIoClient;
import org.xbill.DNS.io.UdpIoClient;

/**
 * Sends a question over UDP and waits, until the timeout, for the datagram that answers it: one from the
 * server's address and port (the socket is connected) with the question's id and its question (name, type,
 * class). Any other datagram, a late reply to an earlier question or a forgery, is dropped and the wait goes on,
 * as RFC 5452 9.1 asks; dnsjava's own client takes the first datagram and fails the question on it. Each
 * question has a socket of its own on a port the kernel picks at random (RFC 5452 9.2). One daemon thread, for
 * the life of the process, waits for every question's datagrams, as dnsjava's own client does; answers complete on
 * the resolver's executor.
 */
final class ListeningUdpClient implements UdpIoClient {
    private static final Logger log = LoggerFactory.getLogger(ListeningUdpClient.class);

    private static final IoClientFactory DNSJAVA = new DefaultIoClientFactory();

    /**
     * dnsjava's clients with UDP replaced by one of these, whose answers (and failures) complete on {@code executor}:
     * never on the event loop that waits for the datagrams, since a failure runs the resolver's next steps on the
     * thread that completes it. TCP (truncated answers) stays dnsjava's.
     */
    static IoClientFactory factory(Executor executor) {
        UdpIoClient udp = new ListeningUdpClient(Loop.GROUP, executor);
        return new IoClientFactory() {
            @Override
            public TcpIoClient createOrGetTcpClient() {
                return DNSJAVA.createOrGetTcpClient();
            }

            @Override
            public UdpIoClient createOrGetUdpClient() {
                return udp;
            }
        };
    }

    private static final int HEADER_LENGTH = 12;

    private static final class Loop {
        static final EventLoopGroup GROUP = new MultiThreadIoEventLoopGroup(
                1, new DefaultThreadFactory("tern-dns", true), NioIoHandler.newFactory());
    }

    private final EventLoopGroup group;
    private final Executor executor;

    ListeningUdpClient(EventLoopGroup group, Executor executor) {
        this.group = group;
        this.executor = executor;
    }

    @Override
    public CompletableFuture<byte[]> sendAndReceiveUdp(
            InetSocketAddress local, InetSocketAddress remote, Message query, byte[] data, int max, Duration timeout) {
        CompletableFuture<byte[]> answer = new CompletableFuture<>();
        Reply reply = new Reply(query, remote, answer);
        Bootstrap bootstrap = new Bootstrap()
                .group(group)
                .channel(NioDatagramChannel.class)
                .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(Math.max(max, HEADER_LENGTH)))
                .handler(reply);
        // Bound to port 0, the socket gets a random port from the kernel (Linux draws it from its CSPRNG).
        ChannelFuture connected = local == null ? bootstrap.connect(remote) : bootstrap.connect(remote, local);
        Channel channel = connected.channel();
        connected.addListener(done -> {
            if (!done.isSuccess()) {
                answer.completeExceptionally(asIo(done.cause()));
                channel.close();
                return;
            }
            ScheduledFuture<?> deadline = channel.eventLoop()
                    .schedule(
                            () -> answer.completeExceptionally(new SocketTimeoutException(
                                    "Query " + query.getHeader().getID() + " timed out")),
                            timeout.toNanos(),
                            TimeUnit.NANOSECONDS);
            answer.whenComplete((bytes, error) -> {
                deadline.cancel(false);
                channel.close();
            });
            channel.writeAndFlush(Unpooled.wrappedBuffer(data)).addListener(sent -> {
                if (!sent.isSuccess()) {
                    answer.completeExceptionally(asIo(sent.cause()));
                }
            });
        });
        return answer.whenCompleteAsync((bytes, error) -> {}, executor);
    }

    private static IOException asIo(Throwable cause) {
        return cause instanceof IOException io ? io : new IOException(cause);
    }

    /** Takes the first datagram that answers the question; drops every other. */
    private static final class Reply extends SimpleChannelInboundHandler<DatagramPacket> {
        private final Message query;
        private final InetSocketAddress server;
        private final CompletableFuture<byte[]> answer;
        private int dropped;

        Reply(Message query, InetSocketAddress server, CompletableFuture<byte[]> answer) {
            this.query = query;
            this.server = server;
            this.answer = answer;
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
            byte[] bytes = ByteBufUtil.getBytes(packet.content());
            if (answers(packet.sender(), bytes)) {
                answer.complete(bytes);
            } else if (dropped++ == 0) {
                log.debug(
                        "dns: dropped a datagram from {} that does not answer question {} ({} octets)",
                        packet.sender(),
                        query.getHeader().getID(),
                        bytes.length);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            // A port the server refused (ICMP unreachable) reads as an error on a connected socket.
            answer.completeExceptionally(asIo(cause));
        }

        private boolean answers(InetSocketAddress sender, byte[] bytes) {
            if (!server.equals(sender) || bytes.length < HEADER_LENGTH) {
                return false;
            }
            int id = ((bytes[0] & 0xFF) << 8) | (bytes[1] & 0xFF);
            if (id != query.getHeader().getID() || (bytes[2] & 0x80) == 0) {
                return false; // another question's, or not a response at all (QR clear: an echo of the query)
            }
            Record asked = query.getQuestion();
            if (asked == null) {
                return true;
            }
            int questions = ((bytes[4] & 0xFF) << 8) | (bytes[5] & 0xFF);
            if (questions != 1) {
                return false;
            }
            // The question alone is read here: the rest is the resolver's to parse (a truncated answer included).
            try {
                DNSInput in = new DNSInput(bytes);
                in.jump(HEADER_LENGTH);
                Name name = new Name(in);
                return name.equals(asked.getName())
                        && in.readU16() == asked.getType()
                        && in.readU16() == asked.getDClass();
            } catch (IOException | RuntimeException malformed) {
                // A question cut short (dnsjava's reader throws an unchecked exception past the end).
                return false;
            }
        }
    }
}
