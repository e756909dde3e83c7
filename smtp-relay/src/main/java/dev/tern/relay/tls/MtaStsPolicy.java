package dev.tern.relay.tls;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * An MTA-STS policy (RFC 8461 3.2) as fetched at {@code fetched}, with the id of the TXT record that
 * announced it (3.1). It is in force until {@link #expires()}.
 *
 * @param maxAge already capped at {@link #MAX_AGE_CAP}
 */
public record MtaStsPolicy(String id, Mode mode, List<String> mx, Duration maxAge, Instant fetched) {
    /** RFC 8461 3.2: max_age is at most 31557600 seconds (about a year). */
    public static final Duration MAX_AGE_CAP = Duration.ofSeconds(31_557_600);

    private static final Pattern MX_PATTERN =
            Pattern.compile("(\\*\\.)?[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+");

    /** RFC 8461 5. */
    public enum Mode {
        /** Only listed hosts, with verified TLS. */
        ENFORCE,
        /** Deliver as before; report what would have failed. */
        TESTING,
        /** No policy: the domain withdrew it. */
        NONE
    }

    public MtaStsPolicy {
        mx = List.copyOf(mx);
        if (maxAge.compareTo(MAX_AGE_CAP) > 0) {
            maxAge = MAX_AGE_CAP;
        }
    }

    public Instant expires() {
        return fetched.plus(maxAge);
    }

    /** What delivery follows: enforce and testing check like {@code verify}; mode none is plain {@code may}. */
    DomainTls domainTls() {
        return switch (mode) {
            case ENFORCE -> new DomainTls(DomainTls.MTA_STS, TlsPolicy.VERIFY, false, mx);
            case TESTING -> new DomainTls(DomainTls.MTA_STS, TlsPolicy.VERIFY, true, mx);
            case NONE -> DomainTls.OPPORTUNISTIC;
        };
    }

    /** A parse that either gave a policy or says what was wrong. */
    public record Parsed(MtaStsPolicy policy, String error) {}

    /**
     * Reads a policy body (RFC 8461 3.2: {@code key: value} lines ending in CRLF or LF); unknown keys are
     * ignored, as the RFC asks.
     */
    public static Parsed parse(String body, String id, Instant fetched) {
        String version = null;
        Mode mode = null;
        Long maxAge = null;
        List<String> mx = new ArrayList<>();
        for (String raw : body.split("\r?\n")) {
            if (raw.isBlank()) {
                continue;
            }
            int colon = raw.indexOf(':');
            if (colon <= 0) {
                return error("a line without 'key: value': " + shorten(raw));
            }
            String key = raw.substring(0, colon).strip().toLowerCase(Locale.ROOT);
            String value = raw.substring(colon + 1).strip();
            switch (key) {
                case "version" -> version = value;
                case "mode" -> {
                    try {
                        mode = Mode.valueOf(value.toUpperCase(Locale.ROOT));
                    } catch (IllegalArgumentException e) {
                        return error("mode is enforce, testing or none, not " + shorten(value));
                    }
                }
                case "max_age" -> {
                    if (!value.matches("[0-9]{1,10}")) {
                        return error("max_age is not a number of seconds: " + shorten(value));
                    }
                    maxAge = Long.parseLong(value);
                }
                case "mx" -> {
                    String pattern = value.toLowerCase(Locale.ROOT);
                    if (!MX_PATTERN.matcher(pattern).matches()) {
                        return error("mx is not a host name or *. pattern: " + shorten(value));
                    }
                    mx.add(pattern);
                }
                default -> {
                    // RFC 8461 3.2: extension fields are ignored.
                }
            }
        }
        if (!"STSv1".equals(version)) {
            return error("version is not STSv1");
        }
        if (mode == null || maxAge == null) {
            return error("mode and max_age are required");
        }
        if (mx.isEmpty() && mode != Mode.NONE) {
            return error("no mx pattern");
        }
        return new Parsed(new MtaStsPolicy(id, mode, mx, Duration.ofSeconds(maxAge), fetched), null);
    }

    private static Parsed error(String why) {
        return new Parsed(null, why);
    }

    private static String shorten(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
