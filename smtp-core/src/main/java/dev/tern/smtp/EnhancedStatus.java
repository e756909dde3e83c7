package dev.tern.smtp;

/** An enhanced mail system status code, {@code class.subject.detail} (RFC 3463 2). */
public record EnhancedStatus(int statusClass, int subject, int detail) {

    public EnhancedStatus {
        if (statusClass != 2 && statusClass != 4 && statusClass != 5) {
            throw new IllegalArgumentException("status class must be 2, 4 or 5: " + statusClass);
        }
        if (subject < 0 || subject > 999 || detail < 0 || detail > 999) {
            throw new IllegalArgumentException("subject and detail are 0..999");
        }
    }

    /**
     * Parses {@code "5.1.1"}: three parts of one to three ASCII digits (RFC 3463 2), read in place. Every reply
     * the client reads and every state the spool replays comes through here.
     */
    public static EnhancedStatus parse(String text) {
        int first = text.indexOf('.');
        int second = first < 0 ? -1 : text.indexOf('.', first + 1);
        if (second < 0) {
            throw notAStatus(text);
        }
        return new EnhancedStatus(
                number(text, 0, first), number(text, first + 1, second), number(text, second + 1, text.length()));
    }

    private static int number(String text, int from, int to) {
        if (to - from < 1 || to - from > 3) {
            throw notAStatus(text);
        }
        int value = 0;
        for (int i = from; i < to; i++) {
            char c = text.charAt(i);
            if (c < '0' || c > '9') {
                throw notAStatus(text);
            }
            value = value * 10 + (c - '0');
        }
        return value;
    }

    private static IllegalArgumentException notAStatus(String text) {
        return new IllegalArgumentException("not an enhanced status code: " + text);
    }

    @Override
    public String toString() {
        return statusClass + "." + subject + "." + detail;
    }
}
