package dev.tern.relay.local;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for Maildir files (the folders' names are checked by {@code LocalMailboxes.isFolderName}).
 *
 * <p>A file name is {@code <seconds>.M<microseconds>P<pid>Q<counter>.<host>}, the modern form of
 * the Maildir unique name: time, process and a per-process counter make it unique on this host,
 * the host name across hosts sharing a folder.
 */
final class MaildirNames {
    private final Clock clock;
    private final String host;
    private final long pid;
    private final AtomicLong counter = new AtomicLong();

    MaildirNames(Clock clock, String hostname, long pid) {
        this.clock = clock;
        this.host = sanitizeHost(hostname);
        this.pid = pid;
    }

    /** A fresh unique name; every call differs (the counter moves even within one microsecond). */
    String next() {
        Instant now = clock.instant();
        return now.getEpochSecond() + ".M" + (now.getNano() / 1000) + "P" + pid + "Q" + counter.incrementAndGet() + "."
                + host;
    }

    /** The Maildir convention: "/" becomes \057 and ":" becomes \072, since ":" starts the info part. */
    static String sanitizeHost(String hostname) {
        return hostname.replace("/", "\\057").replace(":", "\\072");
    }
}
