package dev.tern.relay.dsn;

import dev.tern.relay.delivery.RecipientOutcome;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailDates;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.Xtext;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.queue.QueueId;
import java.time.Instant;
import java.util.List;
import java.util.regex.Pattern;

/** The machine-readable part: per-message and per-recipient fields of RFC 3464 2.2 and 2.3. */
final class DeliveryStatusFields {
    /** A remote reply as {@link RecipientOutcome#fromReply} writes it: three digits, then text. */
    private static final Pattern SMTP_REPLY = Pattern.compile("[245][0-9][0-9]( .*)?");

    private DeliveryStatusFields() {}

    static void write(
            MimeLines out,
            String reportingMta,
            QueueId id,
            Envelope envelope,
            Instant arrival,
            ReportKind kind,
            List<RecipientOutcome> outcomes,
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
        for (RecipientOutcome outcome : outcomes) {
            RcptTo rcpt = envelope.recipients().get(outcome.recipientIndex());
            out.blank();
            // RFC 3464 2.3: one block per recipient, separated by an empty line.
            if (rcpt.parameters().orcpt() != null) {
                out.field(
                        "Original-Recipient",
                        originalRecipient(rcpt.parameters().orcpt()));
            }
            out.field("Final-Recipient", addressField(rcpt.mailbox()));
            out.field("Action", kind.action);
            out.field("Status", outcome.enhancedStatus().toString());
            if (outcome.remoteMta() != null) {
                out.field("Remote-MTA", "dns; " + outcome.remoteMta());
            }
            out.field("Diagnostic-Code", diagnosticCode(outcome));
            out.field("Last-Attempt-Date", MailDates.format(now));
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
    static boolean needsUtf8(Envelope envelope, List<RecipientOutcome> outcomes) {
        for (RecipientOutcome outcome : outcomes) {
            if (envelope.recipients().get(outcome.recipientIndex()).mailbox().needsSmtpUtf8()) {
                return true;
            }
        }
        return false;
    }

    /** RFC 3464 2.3.6: {@code smtp;} for a remote reply, our own diagnostic type for local reasons. */
    static String diagnosticCode(RecipientOutcome outcome) {
        String text = outcome.diagnostic();
        if (outcome.remoteMta() != null && SMTP_REPLY.matcher(text).matches()) {
            return "smtp; " + text;
        }
        return "X-Tern; " + text;
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
