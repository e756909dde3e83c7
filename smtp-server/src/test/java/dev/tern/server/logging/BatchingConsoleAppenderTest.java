package dev.tern.server.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchingConsoleAppenderTest {
    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final BatchingConsoleAppender appender = new BatchingConsoleAppender();
    private final Logger log = context.getLogger("test");

    private void start(int queueSize, long intervalMillis) {
        start(queueSize, intervalMillis, new PatternLayoutEncoder());
    }

    private void start(int queueSize, long intervalMillis, PatternLayoutEncoder encoder) {
        context.setMDCAdapter(new LogbackMDCAdapter());
        encoder.setContext(context);
        encoder.setPattern("[%thread] %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setName("CONSOLE");
        appender.setEncoder(encoder);
        appender.setQueueSize(queueSize);
        appender.setIntervalMillis(intervalMillis);
        appender.setOutput(out);
        appender.start();
        log.setAdditive(false);
        log.addAppender(appender);
    }

    @AfterEach
    void stop() {
        appender.stop();
    }

    private List<String> lines() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8).lines().toList();
        }
    }

    @Test
    void everyLineIsWrittenInOrderWithTheCallersThreadName() {
        start(16384, 20);
        List<String> expected = new ArrayList<>();
        for (int i = 0; i < 5000; i++) {
            log.info(
                    "session={} queued id={} rcpts={} size={} tls={}",
                    "s" + i,
                    "Q" + i,
                    i % 3,
                    (long) i * 4096,
                    i % 2 == 0);
            expected.add("[" + Thread.currentThread().getName() + "] session=s" + i + " queued id=Q" + i + " rcpts="
                    + i % 3 + " size=" + (long) i * 4096 + " tls=" + (i % 2 == 0));
        }

        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> lines().size() == expected.size());
        assertThat(lines()).containsExactlyElementsOf(expected);
    }

    @Test
    void aMutableArgumentIsFormattedWhenLoggedNotWhenWritten() {
        start(16384, 60_000);
        StringBuilder state = new StringBuilder("before");

        log.info("state={} count={}", state, 1);
        state.replace(0, state.length(), "after");
        appender.stop();

        assertThat(lines()).containsExactly("[" + Thread.currentThread().getName() + "] state=before count=1");
    }

    @Test
    void stopWritesWhatIsQueued() {
        start(16384, 60_000);
        for (int i = 0; i < 100; i++) {
            log.info("line {}", i);
        }

        appender.stop();

        assertThat(lines()).hasSize(100).endsWith("[" + Thread.currentThread().getName() + "] line 99");
    }

    @Test
    void aFullQueueDropsLinesAndTheWriterSaysHowMany() {
        start(1, 60_000);
        for (int i = 0; i < 5; i++) {
            log.info("line {}", i);
        }

        appender.stop();

        List<String> lines = lines();
        List<String> written = lines.stream().filter(l -> l.contains("] line ")).toList();
        // Drops are said with each write that follows them: one note, or two when some came after a write.
        List<String> notes =
                lines.stream().filter(l -> l.contains("log lines dropped")).toList();
        int dropped = notes.stream()
                .mapToInt(n -> Integer.parseInt(n.replaceAll(".*\\] (\\d+) log lines dropped.*", "$1")))
                .sum();
        assertThat(notes).isNotEmpty();
        assertThat(written).isNotEmpty().hasSizeLessThan(5);
        assertThat(written.size() + dropped).isEqualTo(5);
        assertThat(written.get(0)).endsWith("line 0");
    }

    @Test
    void theWriterOutlivesAHeapThatRanOutAndSaysWhatWasLost() {
        start(16384, 20, new PatternLayoutEncoder() {
            @Override
            public byte[] encode(ILoggingEvent event) {
                if (event.getFormattedMessage().equals("the heap runs out here")) {
                    throw new OutOfMemoryError("Java heap space");
                }
                return super.encode(event);
            }
        });

        log.info("the heap runs out here");
        Awaitility.await().atMost(10, TimeUnit.SECONDS).until(() -> !lines().isEmpty());
        log.info("and Tern runs on");

        Awaitility.await().atMost(10, TimeUnit.SECONDS).untilAsserted(() -> assertThat(lines())
                .anySatisfy(l -> assertThat(l).contains("1 log lines dropped"))
                .anySatisfy(l -> assertThat(l).endsWith("] and Tern runs on")));
    }

    @Test
    void onlyImmutableJdkValuesWaitForTheWriter() {
        assertThat(BatchingConsoleAppender.onlyValues(null)).isTrue();
        assertThat(BatchingConsoleAppender.onlyValues(new Object[] {"a", 1, 2L, true, 'c', TimeUnit.SECONDS, null}))
                .isTrue();
        assertThat(BatchingConsoleAppender.onlyValues(new Object[] {"a", new StringBuilder("b")}))
                .isFalse();
        assertThat(BatchingConsoleAppender.onlyValues(new Object[] {List.of("a")}))
                .isFalse();
    }
}
