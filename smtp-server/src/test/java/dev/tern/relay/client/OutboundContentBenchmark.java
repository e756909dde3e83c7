package dev.tern.relay.client;

import dev.tern.smtp.codec.DotStuffing;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
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
 * A spooled message made ready for DATA as the delivery client does on its event loop: its lines looked at for
 * any over 998 octets (none here, so nothing is folded), then dot-stuffed into slices with the terminator
 * added, and the result released as a write would. {@code size} is the message's length; its lines are 78
 * octets of text and CRLF, and every 40th begins with a dot. Run with {@code bench/jmh.sh
 * OutboundContentBenchmark}; the time per operation is one whole message.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class OutboundContentBenchmark {

    @Param({"4096", "1048576"})
    public int size;

    private final ByteBufAllocator alloc = PooledByteBufAllocator.DEFAULT;
    private ByteBuf message;

    @Setup(Level.Trial)
    public void setUp() {
        StringBuilder text = new StringBuilder(size + 128);
        for (int line = 0; text.length() < size; line++) {
            String words = (line % 40 == 0 ? "." : "") + "The quick brown fox jumps over the lazy dog " + line + " ";
            text.append(words.repeat(3), 0, 78).append("\r\n");
        }
        text.setLength(size);
        text.replace(size - 2, size, "\r\n");
        byte[] octets = text.toString().getBytes(StandardCharsets.US_ASCII);
        message = alloc.directBuffer(octets.length).writeBytes(octets);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        message.release();
    }

    @Benchmark
    public int prepare() {
        ByteBuf folded = LongLines.fold(message, alloc);
        try {
            ByteBuf stuffed = DotStuffing.stuff(folded, alloc);
            int length = stuffed.readableBytes();
            stuffed.release();
            return length;
        } finally {
            folded.release();
        }
    }
}
