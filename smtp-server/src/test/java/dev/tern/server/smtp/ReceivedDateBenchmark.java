package dev.tern.server.smtp;

import dev.tern.smtp.MailDates;
import java.time.Clock;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The date of the {@code Received:} field Tern adds to every message: {@code formatEachTime} formats it with
 * the RFC 5322 pattern for each message (before issue 11), {@code mailDates} is {@link MailDates#format}, which
 * makes the text once per second. Both take the time from the clock, as MessageAcceptor does. Run with
 * {@code bench/jmh.sh ReceivedDateBenchmark}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
public class ReceivedDateBenchmark {
    private static final DateTimeFormatter FORMAT =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", Locale.ENGLISH);

    private final Clock clock = Clock.systemDefaultZone();

    @Benchmark
    public String formatEachTime() {
        return FORMAT.format(ZonedDateTime.now(clock));
    }

    @Benchmark
    public String mailDates() {
        return MailDates.format(ZonedDateTime.now(clock));
    }
}
