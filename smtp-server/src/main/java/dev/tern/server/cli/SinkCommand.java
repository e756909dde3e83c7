package dev.tern.server.cli;

import dev.tern.server.config.ConfigValues;
import dev.tern.server.sink.Sink;
import dev.tern.server.sink.SinkOptions;
import dev.tern.server.tls.TlsMaterialException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code tern sink}: an SMTP receiver for load tests that accepts, counts and optionally stores mail and
 * injects faults on request (docs/sink.md). Prints a line of counts every {@code --stats-every} and a
 * summary when stopped (SIGTERM, Ctrl-C).
 */
@Command(
        name = "sink",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = "Receive, count and optionally store mail, with faults on request (for load tests).")
final class SinkCommand implements Callable<Integer> {

    @Option(names = "--port", paramLabel = "PORT", description = "port to listen on (default: ${DEFAULT-VALUE})")
    int port = 2525;

    @Option(names = "--bind", paramLabel = "ADDR", description = "address to listen on (default: ${DEFAULT-VALUE})")
    String bind = "127.0.0.1";

    @Option(names = "--hostname", paramLabel = "NAME", description = "name in the greeting (default: ${DEFAULT-VALUE})")
    String hostname = "localhost";

    @Option(names = "--maildir", paramLabel = "DIR", description = "store each message in this Maildir folder")
    Path maildir;

    @Option(
            names = "--stats-every",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "print the counts this often; 0s: only at the end (default: 10s)")
    Duration statsEvery = Duration.ofSeconds(10);

    @Option(names = "--seed", paramLabel = "N", description = "seed of every random choice (default: a fresh one)")
    Long seed;

    @Option(names = "--rcpt-tempfail", paramLabel = "PCT", description = "share of RCPTs answered 451 4.3.0")
    double rcptTempfail;

    @Option(names = "--rcpt-reject", paramLabel = "PCT", description = "share of RCPTs answered 550 5.1.1")
    double rcptReject;

    @Option(names = "--data-tempfail", paramLabel = "PCT", description = "share of messages answered 451 4.3.0")
    double dataTempfail;

    @Option(names = "--data-reject", paramLabel = "PCT", description = "share of messages answered 554 5.6.0")
    double dataReject;

    @Option(
            names = "--drop",
            paramLabel = "PCT",
            description = "share of transactions closed without a reply after MAIL or mid-message")
    double drop;

    @Option(
            names = "--delay",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "wait before every reply (default: 0s)")
    Duration delay = Duration.ZERO;

    @Option(
            names = "--slow-final",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "further wait before the reply to a message's end (default: 0s)")
    Duration slowFinal = Duration.ZERO;

    @Option(
            names = "--greeting-421",
            paramLabel = "N",
            description = "the first N connections get the --reply and are closed (default: 0)")
    int greeting421;

    @Option(
            names = "--reply",
            paramLabel = "TEXT",
            description = "the reply for --greeting-421 (default: '" + SinkOptions.DEFAULT_GREETING_REPLY + "')")
    String reply = SinkOptions.DEFAULT_GREETING_REPLY;

    @Option(names = "--no-starttls", description = "do not offer STARTTLS")
    boolean noStartTls;

    @Option(
            names = "--max-size",
            paramLabel = "SIZE",
            converter = SizeConverter.class,
            description = "largest message (default: 25MiB)")
    long maxSize = 25L << 20;

    @Option(
            names = "--max-connections",
            paramLabel = "N",
            description = "most connections at once (default: ${DEFAULT-VALUE})")
    int maxConnections = 1000;

    @Option(
            names = "--max-line-length",
            paramLabel = "OCTETS",
            description = "longest command or text line, CRLF included (default: ${DEFAULT-VALUE})")
    int maxLineLength = 1000;

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = DurationConverter.class,
            description = "close a connection silent this long (default: 5m)")
    Duration idleTimeout = Duration.ofMinutes(5);

    @Spec
    CommandSpec spec;

    /** Counted down to stop: by the shutdown hook, or by a test. */
    final CountDownLatch stop = new CountDownLatch(1);

    private final CountDownLatch stopped = new CountDownLatch(1);

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        SinkOptions options;
        InetAddress address;
        try {
            options = SinkOptions.builder()
                    .hostname(hostname)
                    .startTls(!noStartTls)
                    .maildir(maildir)
                    .seed(seed)
                    .rcptTempfail(rcptTempfail)
                    .rcptReject(rcptReject)
                    .dataTempfail(dataTempfail)
                    .dataReject(dataReject)
                    .drop(drop)
                    .delay(delay)
                    .slowFinal(slowFinal)
                    .greeting421(greeting421)
                    .greetingReply(SinkOptions.parseReply(reply))
                    .maxSize(maxSize)
                    .maxConnections(maxConnections)
                    .maxLineLength(maxLineLength)
                    .idleTimeout(idleTimeout)
                    .build();
            address = InetAddress.getByName(bind);
        } catch (IllegalArgumentException | java.net.UnknownHostException e) {
            return usage(e.getMessage());
        } catch (TlsMaterialException e) {
            return usage("tls: " + e.getMessage());
        }
        if (statsEvery.isNegative()) {
            return usage("--stats-every must not be negative");
        }
        ScheduledExecutorService stats = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tern-sink-stats");
            t.setDaemon(true);
            return t;
        });
        Thread hook = new Thread(this::stopFromSignal, "tern-sink-stop");
        try (Sink sink = new Sink(options)) {
            int bound;
            try {
                bound = sink.start(address, port);
            } catch (InterruptedException e) {
                throw e;
            } catch (Exception e) {
                // The bind's own exception (address in use, not ours) comes through undeclared.
                return usage("cannot listen on " + bind + " port " + port + ": " + e.getMessage());
            }
            long start = System.nanoTime();
            out.printf(Locale.ROOT, "tern sink: listening on %s port %d seed=%d%n", bind, bound, sink.seed());
            out.flush();
            if (statsEvery.isPositive()) {
                stats.scheduleAtFixedRate(
                        () -> print(out, "", start, sink),
                        statsEvery.toMillis(),
                        statsEvery.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
            Runtime.getRuntime().addShutdownHook(hook);
            stop.await();
            stats.shutdownNow();
            sink.close();
            print(out, "summary ", start, sink);
        } finally {
            stats.shutdownNow();
            stopped.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // Shutting down already: the hook is running.
            }
        }
        return ExitCodes.OK;
    }

    private void stopFromSignal() {
        stop.countDown();
        try {
            // The summary is printed by call(); the JVM waits for it here.
            stopped.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static synchronized void print(PrintWriter out, String what, long start, Sink sink) {
        double seconds = (System.nanoTime() - start) / 1e9;
        out.printf(
                Locale.ROOT,
                "tern sink: %s%.1fs %s%n",
                what,
                seconds,
                sink.counts().toLine());
        out.flush();
    }

    private int usage(String message) {
        spec.commandLine().getErr().println("tern: sink: " + message);
        spec.commandLine().getErr().flush();
        return ExitCodes.CONFIG;
    }

    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return ConfigValues.parseDuration(value);
        }
    }

    static final class SizeConverter implements ITypeConverter<Long> {
        @Override
        public Long convert(String value) {
            return ConfigValues.parseSize(value);
        }
    }
}
