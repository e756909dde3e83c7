package dev.tern.relay.local;

import java.time.Clock;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Names for Maildir files and checks for the folder names we build from addresses.
 *
 * <p>A file name is {@code <seconds>.M<microseconds>P<pid>Q<counter>.<host>}, the modern form of
 * the Maildir unique name: time, process and a per-process counter make it unique on this host,
 * the host name across hosts sharing a folder.
 */
final class MaildirNames {
    /** Longest folder name most file systems accept (NAME_MAX, in bytes). */
    private static final int MAX_SEGMENT_BYTES = 255;

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

    /**
     * True when {@code name} can be used as one path segment under the mail root: no separators, no
     * "." or ".." (which would climb out), no leading dot (Maildir++ keeps its subfolders there), no
     * control characters and not too long.
     */
    static boolean isSafeSegment(String name) {
        if (name.isEmpty()
                || name.charAt(0) == '.'
                || name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
            return false;
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\' || c == 0) {
                return false;
            }
        }
        return true;
    }
}
