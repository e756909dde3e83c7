package dev.tern.server.sink;

import dev.tern.smtp.EnhancedStatus;
import dev.tern.smtp.SmtpReply;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a {@link Sink} does: its limits, whether it offers STARTTLS, where it stores mail and which
 * faults it injects. Shares are percentages (0 to 100); each pair of refusals at one step (tempfail
 * and reject) may add up to at most 100.
 *
 * @param hostname the name in the greeting and EHLO reply
 * @param startTls offer STARTTLS with a self-signed certificate made in memory
 * @param maildir store each accepted message in this Maildir folder, or null to only count it
 * @param seed the seed of every random choice, or null for a fresh one (printed by {@code tern sink})
 * @param rcptTempfail share of RCPTs answered {@code 451 4.3.0}
 * @param rcptReject share of RCPTs answered {@code 550 5.1.1}
 * @param dataTempfail share of messages answered {@code 451 4.3.0} after their end
 * @param dataReject share of messages answered {@code 554 5.6.0} after their end
 * @param drop share of transactions whose connection is closed without a reply, half right after MAIL,
 *     half in the middle of the message
 * @param delay wait before every reply
 * @param slowFinal further wait before the reply to a message's end only
 * @param greeting421 how many connections, the first ones, get {@link #greetingReply} and are closed
 * @param greetingReply the reply those connections get
 * @param maxSize largest message in octets (advertised with SIZE, RFC 1870)
 * @param maxConnections most connections open at once; more get {@code 421 4.7.0} and are closed
 * @param maxLineLength longest command or text line in octets, CRLF included
 * @param idleTimeout a connection that sends nothing for this long gets {@code 421 4.4.2} and is closed
 */
public record SinkOptions(
        String hostname,
        boolean startTls,
        Path maildir,
        Long seed,
        double rcptTempfail,
        double rcptReject,
        double dataTempfail,
        double dataReject,
        double drop,
        Duration delay,
        Duration slowFinal,
        int greeting421,
        SmtpReply greetingReply,
        long maxSize,
        int maxConnections,
        int maxLineLength,
        Duration idleTimeout) {

    public static final String DEFAULT_GREETING_REPLY = "421 4.7.0 try again later";
    private static final Pattern REPLY = Pattern.compile("([45]\\d\\d)(?: ([245]\\.\\d{1,3}\\.\\d{1,3}))?(?: (.*))?");

    public SinkOptions {
        Objects.requireNonNull(hostname, "hostname");
        Objects.requireNonNull(delay, "delay");
        Objects.requireNonNull(slowFinal, "slowFinal");
        Objects.requireNonNull(greetingReply, "greetingReply");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        share("rcpt-tempfail", rcptTempfail);
        share("rcpt-reject", rcptReject);
        share("data-tempfail", dataTempfail);
        share("data-reject", dataReject);
        share("drop", drop);
        if (rcptTempfail + rcptReject > 100 || dataTempfail + dataReject > 100) {
            throw new IllegalArgumentException("a tempfail and a reject share at one step add up to at most 100");
        }
        if (greetingReply.code() < 400) {
            throw new IllegalArgumentException("the reply for refused connections must be 4xx or 5xx");
        }
        if (delay.isNegative() || slowFinal.isNegative() || !idleTimeout.isPositive()) {
            throw new IllegalArgumentException("delays must not be negative and the idle timeout must be positive");
        }
        if (greeting421 < 0 || maxSize < 1 || maxConnections < 1 || maxLineLength < 512) {
            throw new IllegalArgumentException(
                    "greeting-421 must not be negative, max-size and max-connections must be positive,"
                            + " max-line-length at least 512 (RFC 5321 4.5.3.1)");
        }
    }

    /** Accepts everything, no faults, STARTTLS offered, 25 MiB messages, 1,000 connections. */
    public static SinkOptions defaults() {
        return new SinkOptions(
                "localhost",
                true,
                null,
                null,
                0,
                0,
                0,
                0,
                0,
                Duration.ZERO,
                Duration.ZERO,
                0,
                parseReply(DEFAULT_GREETING_REPLY),
                25L << 20,
                1000,
                1000,
                Duration.ofMinutes(5));
    }

    /**
     * The reply for {@code --reply}: either written whole as {@code code [x.y.z] [text]}, e.g. {@code 421
     * 4.7.28 rate limited} (a 4xx or 5xx code, an optional enhanced status code of the same class, RFC
     * 3463), or, when it does not start with a digit, only the text, which then follows {@code 421 4.7.0}.
     *
     * @throws IllegalArgumentException for a code that is not 4xx or 5xx, or a bad enhanced status code
     */
    public static SmtpReply parseReply(String text) {
        String stripped = text.strip();
        if (stripped.isEmpty() || !Character.isDigit(stripped.charAt(0))) {
            return new SmtpReply(421, "4.7.0", stripped.isEmpty() ? "try again later" : stripped);
        }
        Matcher m = REPLY.matcher(stripped);
        if (!m.matches()) {
            throw new IllegalArgumentException(
                    "expected a reply such as '421 4.7.0 try again later' (4xx or 5xx), got '" + text + "'");
        }
        int code = Integer.parseInt(m.group(1));
        EnhancedStatus status = m.group(2) == null ? null : EnhancedStatus.parse(m.group(2));
        String words = m.group(3) == null || m.group(3).isBlank() ? "try again later" : m.group(3);
        return new SmtpReply(code, status, List.of(words));
    }

    public Builder toBuilder() {
        return new Builder(this);
    }

    public static Builder builder() {
        return new Builder(defaults());
    }

    private static void share(String name, double value) {
        if (!(value >= 0 && value <= 100)) {
            throw new IllegalArgumentException(name + " is a percentage from 0 to 100, not " + value);
        }
    }

    /** Changes some options of a starting set, then {@link #build()} checks them together. */
    public static final class Builder {
        private String hostname;
        private boolean startTls;
        private Path maildir;
        private Long seed;
        private double rcptTempfail;
        private double rcptReject;
        private double dataTempfail;
        private double dataReject;
        private double drop;
        private Duration delay;
        private Duration slowFinal;
        private int greeting421;
        private SmtpReply greetingReply;
        private long maxSize;
        private int maxConnections;
        private int maxLineLength;
        private Duration idleTimeout;

        private Builder(SinkOptions o) {
            hostname = o.hostname;
            startTls = o.startTls;
            maildir = o.maildir;
            seed = o.seed;
            rcptTempfail = o.rcptTempfail;
            rcptReject = o.rcptReject;
            dataTempfail = o.dataTempfail;
            dataReject = o.dataReject;
            drop = o.drop;
            delay = o.delay;
            slowFinal = o.slowFinal;
            greeting421 = o.greeting421;
            greetingReply = o.greetingReply;
            maxSize = o.maxSize;
            maxConnections = o.maxConnections;
            maxLineLength = o.maxLineLength;
            idleTimeout = o.idleTimeout;
        }

        public Builder hostname(String value) {
            hostname = value;
            return this;
        }

        public Builder startTls(boolean value) {
            startTls = value;
            return this;
        }

        public Builder maildir(Path value) {
            maildir = value;
            return this;
        }

        public Builder seed(Long value) {
            seed = value;
            return this;
        }

        public Builder rcptTempfail(double value) {
            rcptTempfail = value;
            return this;
        }

        public Builder rcptReject(double value) {
            rcptReject = value;
            return this;
        }

        public Builder dataTempfail(double value) {
            dataTempfail = value;
            return this;
        }

        public Builder dataReject(double value) {
            dataReject = value;
            return this;
        }

        public Builder drop(double value) {
            drop = value;
            return this;
        }

        public Builder delay(Duration value) {
            delay = value;
            return this;
        }

        public Builder slowFinal(Duration value) {
            slowFinal = value;
            return this;
        }

        public Builder greeting421(int value) {
            greeting421 = value;
            return this;
        }

        public Builder greetingReply(SmtpReply value) {
            greetingReply = value;
            return this;
        }

        public Builder maxSize(long value) {
            maxSize = value;
            return this;
        }

        public Builder maxConnections(int value) {
            maxConnections = value;
            return this;
        }

        public Builder maxLineLength(int value) {
            maxLineLength = value;
            return this;
        }

        public Builder idleTimeout(Duration value) {
            idleTimeout = value;
            return this;
        }

        public SinkOptions build() {
            return new SinkOptions(
                    hostname,
                    startTls,
                    maildir,
                    seed,
                    rcptTempfail,
                    rcptReject,
                    dataTempfail,
                    dataReject,
                    drop,
                    delay,
                    slowFinal,
                    greeting421,
                    greetingReply,
                    maxSize,
                    maxConnections,
                    maxLineLength,
                    idleTimeout);
        }
    }
}
