package dev.tern.relay.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one class logs while this is open, as formatted messages, for tests that read the log. */
public final class LogLines implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private LogLines(String source) {
        logger = (Logger) LoggerFactory.getLogger(source);
        appender.start();
        logger.addAppender(appender);
    }

    /** Starts recording what {@code source} logs. */
    public static LogLines of(Class<?> source) {
        return new LogLines(source.getName());
    }

    /** Starts recording what the logger named {@code source} logs (a class another package cannot name). */
    public static LogLines of(String source) {
        return new LogLines(source);
    }

    public List<String> lines() {
        synchronized (appender) {
            return appender.list.stream()
                    .map(ILoggingEvent::getFormattedMessage)
                    .toList();
        }
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        appender.stop();
    }
}
