package dev.tern.relay.spool;

import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
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
 * The spool writer's encoding of one group commit, before its one gathering write: each message's record head
 * and envelope laid out, its queue id made, and the CRC-32C of head and content. The content is not copied.
 * {@code batch} messages of {@code size} octets each, one recipient each; 13 of 4 KiB is a group commit of 100
 * sessions in {@code bench/run.sh}, one of 1 MiB a large message's. Run with {@code bench/jmh.sh
 * SpoolEncodeBenchmark}; the time per operation is one whole batch.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class SpoolEncodeBenchmark {

    @Param({"13:4096", "1:1048576"})
    public String batchAndSize;

    private final BatchEncoder encoder = new BatchEncoder();
    private final QueueIdGenerator ids = new QueueIdGenerator(System::currentTimeMillis, new SecureRandom());
    private final List<SpoolOp> batch = new ArrayList<>();
    private ByteBuf content;

    @Setup(Level.Trial)
    public void setUp() {
        String[] parts = batchAndSize.split(":");
        int messages = Integer.parseInt(parts[0]);
        int size = Integer.parseInt(parts[1]);
        content = PooledByteBufAllocator.DEFAULT.directBuffer(size);
        for (int i = 0; i < size; i++) {
            content.writeByte(i % 78 == 77 ? '\n' : 'a' + i % 26);
        }
        Envelope envelope = new Envelope(
                new ReversePath(new Mailbox("sender", "bench.test")),
                List.of(new RcptTo(new Mailbox("user", "bench.test"), RcptParameters.NONE)),
                MailParameters.NONE);
        for (int i = 0; i < messages; i++) {
            batch.add(new SpoolOp.Message(envelope, content, System.currentTimeMillis(), new CompletableFuture<>()));
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        encoder.close();
        content.release();
    }

    @Benchmark
    public ByteBuffer[] encode() {
        return encoder.encode(batch, ids, 0x5EED, RecordFormat.SEGMENT_HEADER_SIZE)
                .buffers();
    }
}
