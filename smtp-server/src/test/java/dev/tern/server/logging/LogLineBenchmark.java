package dev.tern.server.logging;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import ch.qos.logback.core.OutputStreamAppender;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import dev.tern.smtp.queue.QueueId;
import java.io.OutputStream;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * What the per-message log line ({@code session=... queued id=...}) costs the thread that logs it, an event
 * loop in Tern: {@code async} is logback's AsyncAppender in front of an output stream appender (the
 * configuration before issue 11), {@code batching} is {@link BatchingConsoleAppender}. Both write to a stream
 * that discards; the writer thread's own work is not timed here (bench/run.sh --inbound measures the whole).
 * Run with {@code bench/jmh.sh LogLineBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class LogLineBenchmark {
    private static final String PATTERN = "%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{36} - %msg%n";

    @Param({"async", "batching"})
    public String appender;

    private LoggerContext context;
    private Logger log;
    private final QueueId id = new QueueId("0MXk3v9F2a7Qd1");
    private final ReversePath from = new ReversePath(new Mailbox("sender", "bench.test"));

    @Setup
    public void setUp() {
        context = new LoggerContext();
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        OutputStream discard = OutputStream.nullOutputStream();
        log = context.getLogger("dev.tern.server.smtp.MessageAcceptor");
        log.setAdditive(false);
        if (appender.equals("async")) {
            OutputStreamAppender<ILoggingEvent> console = new OutputStreamAppender<>();
            console.setContext(context);
            console.setEncoder(encoder);
            console.setOutputStream(discard);
            console.start();
            AsyncAppender async = new AsyncAppender();
            async.setContext(context);
            async.setQueueSize(16384);
            async.setDiscardingThreshold(0);
            async.setNeverBlock(true);
            async.addAppender(console);
            async.start();
            log.addAppender(async);
        } else {
            BatchingConsoleAppender batching = new BatchingConsoleAppender();
            batching.setContext(context);
            batching.setEncoder(encoder);
            batching.setOutput(discard);
            batching.start();
            log.addAppender(batching);
        }
    }

    @TearDown
    public void tearDown() {
        context.stop();
    }

    /** The line as MessageAcceptor logs it. */
    @Benchmark
    public void queuedLine() {
        log.info("session={} queued id={} from={} rcpts={} size={}", "AB12cd34", id.value(), from.toString(), 1, 4213L);
    }
}
