package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The record tracking of {@link TlsRenegotiationHandler} on client record sequences, fed whole, byte by
 * byte and split at every octet. Records are written {@code type:length} (20 ChangeCipherSpec, 21
 * alert, 22 handshake, 23 application data); their bodies are filler, never read.
 */
class TlsRenegotiationHandlerTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # what                                          | client records                          | refused record (-1: none)
            TLS 1.2 handshake, then data and an alert       | 22:50 22:70 20:1 22:40 23:300 23:5 21:2 | -1
            TLS 1.2 resumed session                         | 22:50 20:1 22:40 23:300                 | -1
            TLS 1.2 renegotiation after data                | 22:50 22:70 20:1 22:40 23:300 22:50     | 5
            TLS 1.2 renegotiation right behind the Finished | 22:50 20:1 22:40 22:50 23:10            | 3
            a renegotiation after a long record             | 22:50 20:1 22:40 23:2000 22:50          | 4
            empty records are records too                   | 22:50 20:1 22:0 23:0 22:0               | 4
            TLS 1.3, no ChangeCipherSpec                    | 22:300 23:60 23:300 23:30               | -1
            TLS 1.3 with the compatibility ChangeCipherSpec | 22:300 20:1 23:60 23:300                | -1
            TLS 1.3 after a HelloRetryRequest               | 22:300 20:1 22:300 23:60 23:300         | -1
            """)
    void refusesAHandshakeRecordAfterTheClientsFinished(String what, String records, int refused) {
        byte[] input = records(records);
        int refusedAt = refused < 0 ? -1 : offsetOf(records, refused);
        check(what + ", whole", input, refusedAt, new int[0]);
        check(
                what + ", byte by byte",
                input,
                refusedAt,
                IntStream.range(1, input.length).toArray());
        for (int split = 1; split < input.length; split++) {
            check(what + ", split at " + split, input, refusedAt, new int[] {split});
        }
    }

    /** Feeds {@code input} cut at {@code splits} and checks what was passed on and whether it closed. */
    private static void check(String what, byte[] input, int refusedAt, int[] splits) {
        CloseRecorder close = new CloseRecorder();
        Forwarded forwarded = new Forwarded();
        EmbeddedChannel channel = new EmbeddedChannel(close, new TlsRenegotiationHandler("test"), forwarded);
        int expected = input.length;
        int from = 0;
        for (int i = 0; i <= splits.length; i++) {
            int to = i < splits.length ? splits[i] : input.length;
            if (refusedAt >= from && refusedAt < to) {
                // Nothing of the read holding the renegotiation's first octet is passed on, nor after.
                expected = Math.min(expected, from);
            }
            ByteBuf piece = Unpooled.copiedBuffer(input, from, to - from);
            channel.writeInbound(piece);
            assertThat(piece.refCnt())
                    .as("%s: released by whoever consumed it", what)
                    .isZero();
            from = to;
        }
        assertThat(forwarded.bytes.toByteArray()).as(what).isEqualTo(Arrays.copyOf(input, expected));
        assertThat(close.closes).as("%s: closes", what).isEqualTo(refusedAt < 0 ? 0 : 1);
        assertThat(channel.finishAndReleaseAll()).as(what).isFalse();
    }

    /** {@code "22:50 20:1"} as TLS records: type, version 3.3, two length octets, filler body. */
    private static byte[] records(String records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String record : records.split(" ")) {
            String[] parts = record.split(":");
            int length = Integer.parseInt(parts[1]);
            out.writeBytes(new byte[] {(byte) Integer.parseInt(parts[0]), 3, 3, (byte) (length >> 8), (byte) length});
            byte[] body = new byte[length];
            // A body full of 22s and 20s: the handler must skip bodies, not read them as headers.
            Arrays.fill(body, (byte) (length % 2 == 0 ? 22 : 20));
            out.writeBytes(body);
        }
        return out.toByteArray();
    }

    /** The offset of the first octet of record number {@code index}. */
    private static int offsetOf(String records, int index) {
        String[] all = records.split(" ");
        return records(String.join(" ", Arrays.copyOf(all, index))).length;
    }

    /** Counts close requests and keeps the channel open, so reads after the refusal still arrive. */
    private static final class CloseRecorder extends ChannelOutboundHandlerAdapter {
        int closes;

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
            closes++;
            promise.setSuccess();
        }
    }

    /** Stands for the SslHandler: keeps a copy of every octet it is passed. */
    private static final class Forwarded extends ChannelInboundHandlerAdapter {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            ByteBuf buf = (ByteBuf) msg;
            byte[] copy = new byte[buf.readableBytes()];
            buf.readBytes(copy);
            bytes.writeBytes(copy);
            buf.release();
        }
    }
}
