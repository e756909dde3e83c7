package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailDates;
import dev.tern.smtp.queue.QueueId;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/** Lays out one report: the header, then the three parts of RFC 6522 multipart/report. */
final class ReportWriter {
    private static final int TEXT_WIDTH = 76;

    private final String reportingMta;
    private final ReportKind kind;
    private final Instant now;
    private final long serial;

    ReportWriter(String reportingMta, ReportKind kind, Instant now, long serial) {
        this.reportingMta = reportingMta;
        this.kind = kind;
        this.now = now;
        this.serial = serial;
    }

    byte[] write(
            QueueId id,
            Envelope envelope,
            Instant arrival,
            List<Bouncer.Recipient> recipients,
            OriginalMessage original,
            Instant willRetryUntil) {
        MimeLines text = new MimeLines();
        HumanText.write(text, reportingMta, kind, id, envelope, arrival, recipients, willRetryUntil, TEXT_WIDTH);
        byte[] textBytes = text.toByteArray();
        MimeLines status = new MimeLines();
        DeliveryStatusFields.write(status, reportingMta, id, envelope, arrival, kind, recipients, now, willRetryUntil);
        byte[] statusBytes = status.toByteArray();
        // A UTF-8 address, or UTF-8 in a server's reply quoted as Diagnostic-Code: the part is 8-bit text
        // and must say so (RFC 6533 3), not pass as the 7-bit message/delivery-status.
        boolean utf8Status =
                DeliveryStatusFields.needsUtf8(envelope, recipients) || OriginalMessage.isEightBit(statusBytes);
        boolean textEightBit = OriginalMessage.isEightBit(textBytes);
        String boundary = boundary(id, original);

        MimeLines out = new MimeLines();
        out.field("From", "Mail Delivery System <MAILER-DAEMON@" + reportingMta + ">");
        out.field("To", "<" + envelope.reversePath().mailbox().address() + ">");
        out.field("Subject", kind.subject);
        out.field("Date", MailDates.format(now));
        out.field(
                "Message-ID",
                "<" + Long.toString(now.toEpochMilli(), 36) + "." + id.value() + "." + kind.action + "." + serial + "@"
                        + reportingMta + ">");
        // RFC 3834 5: automatic responders must not answer this.
        out.field("Auto-Submitted", "auto-replied");
        out.field("MIME-Version", "1.0");
        // RFC 6522 3: report-type names the second part's type.
        out.field("Content-Type", "multipart/report; report-type=delivery-status; boundary=\"" + boundary + "\"");
        boolean eightBit = textEightBit || utf8Status || original.eightBit();
        out.field("Content-Transfer-Encoding", eightBit ? "8bit" : "7bit");
        out.blank();
        out.line("This is a MIME-encapsulated delivery status report (RFC 3464).");

        // Part 1: for people.
        out.blank().line("--" + boundary);
        out.field("Content-Type", "text/plain; charset=" + (textEightBit ? "utf-8" : "us-ascii"));
        out.field("Content-Transfer-Encoding", textEightBit ? "8bit" : "7bit");
        out.field("Content-Description", "Notification");
        out.blank().raw(textBytes);

        // Part 2: for programs (RFC 3464 2); RFC 6533 3 when it names UTF-8 addresses.
        out.blank().line("--" + boundary);
        out.field("Content-Type", utf8Status ? "message/global-delivery-status" : "message/delivery-status");
        if (utf8Status) {
            out.field("Content-Transfer-Encoding", "8bit");
        }
        out.field("Content-Description", "Delivery report");
        out.blank().raw(statusBytes);

        // Part 3: what RET asked for (RFC 3461 4.3). RFC 6532 3.7's types are for a message sent with
        // SMTPUTF8 (RFC 6533 6); any other goes as message/rfc822 or text/rfc822-headers however 8-bit its
        // octets, labelled 8bit, as Postfix returns a BODY=8BITMIME message.
        out.blank().line("--" + boundary);
        boolean international = envelope.parameters().smtpUtf8();
        String type = original.full()
                ? (international ? "message/global" : "message/rfc822")
                : (international ? "message/global-headers" : "text/rfc822-headers");
        out.field("Content-Type", type);
        if (original.eightBit()) {
            out.field("Content-Transfer-Encoding", "8bit");
        }
        out.field("Content-Description", original.full() ? "Original message" : "Original message headers");
        out.blank().raw(original.bytes());
        out.blank().line("--" + boundary + "--");
        return out.toByteArray();
    }

    /** A boundary that no part contains (RFC 2046 5.1.1); "=_" cannot start a line of our own text parts. */
    private String boundary(QueueId id, OriginalMessage original) {
        for (int attempt = 0; ; attempt++) {
            String boundary = "=_tern_" + id.value() + "_" + Long.toString(now.toEpochMilli(), 36) + "_" + serial
                    + (attempt == 0 ? "" : "_" + attempt);
            if (!original.contains(("--" + boundary).getBytes(StandardCharsets.US_ASCII))) {
                return boundary;
            }
        }
    }
}
