package dev.tern.server.it.delivery;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the RFC 3464 per-recipient fields out of a delivery status notification as stored in a Maildir. */
final class Dsns {
    private static final Pattern STATUS = Pattern.compile("(?m)^Status: ([245]\\.\\d{1,3}\\.\\d{1,3})\r?$");
    private static final Pattern ACTION = Pattern.compile("(?m)^Action: (\\S+)\r?$");

    private Dsns() {}

    /** Whether the message is a multipart/report of report-type delivery-status (RFC 6522, RFC 3464). */
    static boolean isReport(String message) {
        return message.contains("multipart/report")
                && message.contains("report-type=delivery-status")
                && message.contains("message/delivery-status");
    }

    /** Every value of field {@code name} in the report, in order, unfolded (RFC 5322 2.2.3). */
    static List<String> fields(String message, String name) {
        String unfolded = message.replaceAll("\r?\n[ \t]", " ");
        return all(
                Pattern.compile("(?m)^" + Pattern.quote(name) + ": (.*?)\r?$").matcher(unfolded));
    }

    /** The {@code Status:} values of the per-recipient parts, in order. */
    static List<String> statuses(String message) {
        return all(STATUS.matcher(message));
    }

    /** The {@code Action:} values of the per-recipient parts, in order. */
    static List<String> actions(String message) {
        return all(ACTION.matcher(message));
    }

    private static List<String> all(Matcher m) {
        List<String> out = new ArrayList<>();
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
