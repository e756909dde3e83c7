package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailDates;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.Xtext;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.queue.QueueId;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/** The machine-readable part: per-message and per-recipient fields of RFC 3464 2.2 and 2.3. */
final class DeliveryStatusFields {
    private DeliveryStatusFields() {}

    static void write(
            MimeLines out,
            String reportingMta,
            QueueId id,
            Envelope envelope,
            Instant arrival,
            ReportKind kind,
            List<Bouncer.Recipient> recipients,
            Instant now,
            Instant willRetryUntil) {
        // RFC 3464 2.2: per-message fields first.
        out.field("Reporting-MTA", "dns; " + reportingMta);
        // RFC 3464 2.4: an extension field, named X- because it is ours.
        out.field("X-Tern-Queue-ID", id.value());
        if (envelope.parameters().envId() != null) {
            // RFC 3464 2.2.1, RFC 3461 4.4: the sender's ENVID, decoded from xtext.
            out.field("Original-Envelope-Id", decodedOrRaw(envelope.parameters().envId()));
        }
        out.field("Arrival-Date", MailDates.format(arrival));
        for (Bouncer.Recipient recipient : recipients) {
            RcptTo rcpt = envelope.recipients().get(recipient.index());
            LastAttempt last = recipient.last();
            out.blank();
            // RFC 3464 2.3: one block per recipient, separated by an empty line.
            if (rcpt.parameters().orcpt() != null) {
                out.field(
                        "Original-Recipient",
                        originalRecipient(rcpt.parameters().orcpt()));
            }
            out.field("Final-Recipient", addressField(rcpt.mailbox()));
            out.field("Action", kind.action(last));
            // RFC 3464 2.3.4: the remote server's enhanced code when its reply had one, else ours.
            out.field("Status", last.status().toString());
            if (last.remoteMta() != null) {
                // RFC 3464 2.3.5, RFC 3461 6.3 (h): the host that answered, by its DNS name.
                out.field("Remote-MTA", "dns; " + last.remoteMta());
            }
            out.field("Diagnostic-Code", diagnosticCode(last));
            // RFC 3464 2.3.7: when it was tried, as recorded (a format-1 spool did not record it).
            out.field(
                    "Last-Attempt-Date",
                    MailDates.format(last.atMillis() > 0 ? Instant.ofEpochMilli(last.atMillis()) : now));
            if (kind == ReportKind.DELAY && willRetryUntil != null) {
                // RFC 3464 2.3.9: only for delayed recipients.
                out.field("Will-Retry-Until", MailDates.format(willRetryUntil));
            }
        }
    }

    /** RFC 3464 2.3.2 with RFC 6533 3: {@code rfc822;} for ASCII addresses, {@code utf-8;} otherwise. */
    static String addressField(Mailbox mailbox) {
        return (mailbox.needsSmtpUtf8() ? "utf-8; " : "rfc822; ") + mailbox.address();
    }

    /** True when the report names an address that only {@code message/global-delivery-status} can carry. */
    static boolean needsUtf8(Envelope envelope, List<Bouncer.Recipient> recipients) {
        for (Bouncer.Recipient recipient : recipients) {
            if (envelope.recipients().get(recipient.index()).mailbox().needsSmtpUtf8()) {
                return true;
            }
        }
        return false;
    }

    /**
     * RFC 3464 2.3.6: {@code smtp;} and the remote reply as received, each reply line on a line of its
     * own (RFC 3461 9.2); our own diagnostic type when no server answered.
     */
    static List<String> diagnosticCode(LastAttempt last) {
        SmtpReply reply = last.reply();
        if (reply == null) {
            return List.of("X-Tern; " + last.diagnostic());
        }
        List<String> lines = new ArrayList<>(reply.lines().size());
        for (int i = 0; i < reply.lines().size(); i++) {
            String separator = i < reply.lines().size() - 1 ? "-" : " ";
            String status = reply.status() == null ? "" : reply.status() + " ";
            lines.add((i == 0 ? "smtp; " : "")
                    + reply.code()
                    + separator
                    + status
                    + reply.lines().get(i));
        }
        return lines;
    }

    /** ORCPT is {@code addr-type;xtext} (RFC 3461 4.2); the report shows it decoded (RFC 3464 2.3.1). */
    private static String originalRecipient(String orcpt) {
        int semi = orcpt.indexOf(';');
        if (semi < 0) {
            return orcpt;
        }
        return orcpt.substring(0, semi).strip() + "; " + decodedOrRaw(orcpt.substring(semi + 1));
    }

    /** The xtext decoded when that gives printable US-ASCII; otherwise the xtext as given. */
    private static String decodedOrRaw(String xtext) {
        if (!Xtext.isValid(xtext)) {
            return xtext;
        }
        String decoded = Xtext.decode(xtext);
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (c < 0x20 || c > 0x7e) {
                return xtext;
            }
        }
        return decoded;
    }
}
