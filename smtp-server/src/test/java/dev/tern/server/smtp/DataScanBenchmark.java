package dev.tern.server.smtp;

import dev.tern.smtp.codec.DataEnd;
import dev.tern.smtp.codec.SmtpLineDecoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A DATA body through the inbound line decoder as the event loop sees it: reads of up to 64 KiB of a direct
 * buffer, each line looked at for its end, a leading dot and its length, the body passed on as slices, then the
 * end of the data. {@code size} is the body's length; its lines are 78 octets of text and CRLF, and every 40th
 * begins with a dot that the client doubled. With {@code tabs} a TAB stands between every two words. Run with {@code bench/jmh.sh DataScanBenchmark}; the time per
 * operation is one whole body.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class DataScanBenchmark {
    private static final int READ = 64 * 1024;

    @Param({"4096", "1048576"})
    public int size;

    @Param({"false", "true"})
    public boolean tabs;

    private ByteBuf body;
    private SmtpLineDecoder decoder;
    private EmbeddedChannel channel;

    @Setup(Level.Trial)
    public void setUp() {
        StringBuilder text = new StringBuilder(size + 128);
        for (int line = 0; text.length() < size; line++) {
            String words = (line % 40 == 0 ? ".." : "") + "The quick brown fox jumps over the lazy dog " + line + " ";
            text.append((tabs ? words.replace(' ', '\t') : words).repeat(3), 0, 78)
                    .append("\r\n");
        }
        text.setLength(size);
        text.replace(size - 2, size, "\r\n").append(".\r\n");
        byte[] octets = text.toString().getBytes(StandardCharsets.US_ASCII);
        body = PooledByteBufAllocator.DEFAULT.directBuffer(octets.length).writeBytes(octets);
        decoder = new SmtpLineDecoder(512, 1000);
        channel = new EmbeddedChannel(decoder);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        channel.finishAndReleaseAll();
        body.release();
    }

    @Benchmark
    public int data() {
        decoder.startData();
        int length = body.readableBytes();
        for (int offset = 0; offset < length; offset += READ) {
            channel.writeInbound(body.retainedSlice(offset, Math.min(READ, length - offset)));
        }
        int parts = 0;
        for (Object message; (message = channel.readInbound()) != null; parts++) {
            if (message instanceof DataEnd end && (end.lineTooLong() || end.bareLineEnding())) {
                throw new IllegalStateException("the body should be clean: " + end);
            }
            ReferenceCountUtil.release(message);
        }
        return parts;
    }
}
