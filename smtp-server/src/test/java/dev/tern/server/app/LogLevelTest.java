package dev.tern.server.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code log-level} reaches Tern's loggers, and leaves the libraries the built-in configuration quiets. */
class LogLevelTest {

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    private final Level root = context.getLogger(Logger.ROOT_LOGGER_NAME).getLevel();
    private final Level tern = context.getLogger("dev.tern").getLevel();

    @AfterEach
    void restore() {
        context.getLogger(Logger.ROOT_LOGGER_NAME).setLevel(root);
        context.getLogger("dev.tern").setLevel(tern);
    }

    @Test
    void setsTheLevelOfEveryLoggerNotSetOtherwise() {
        Logger shaping = LoggerFactory.getLogger("dev.tern.relay.queue.Shaping");
        assertThat(shaping.isDebugEnabled()).isFalse();

        TernServer.logLevel("debug");

        assertThat(shaping.isDebugEnabled()).isTrue();
        assertThat(LoggerFactory.getLogger("io.netty.channel.DefaultChannelPipeline")
                        .isDebugEnabled())
                .as("Netty stays at info")
                .isFalse();
    }
}
