package dev.tern.server.config;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The durable spool: its directory (never {@code null} in a loaded configuration: {@code <data-dir>/spool}
 * unless set), the size at which a segment file is rolled, the most messages one group commit flushes, and
 * the free space its file system keeps in reserve: below it MAIL is refused (Postfix's queue_minfree), and the
 * longest a group commit waits, while other transactions are open, for their messages to share its flush.
 */
public record SpoolConfig(Path directory, long segmentSize, int maxBatch, long minFreeSpace, Duration commitDelay) {}
