package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailDates;
import dev.tern.smtp.queue.QueueId;
import java.time.Instant;
import java.util.List;

/** The first part of a report: what happened, in words a sender can act on (RFC 3464 2, RFC 6522 3). */
final class HumanText {
    private HumanText() {}

    static void write(
            MimeLines out,
            String reportingMta,
            ReportKind kind,
            QueueId id,
            Envelope envelope,
            Instant arrival,
            List<Bouncer.Recipient> recipients,
            Instant willRetryUntil,
            int width) {
        out.text("This is the mail system at " + reportingMta + ".", width, "");
        out.blank();
        String what =
                switch (kind) {
                    case FAILURE ->
                        "Your message could not be delivered to the recipients listed below. The mail system has"
                                + " given up on them; each is shown with the reason it was given. No further attempts"
                                + " will be made for them.";
                    case DELAY -> {
                        String until = willRetryUntil == null ? "" : " until " + MailDates.format(willRetryUntil);
                        yield "Your message has not yet been delivered to the recipients listed below. It is still"
                                + " queued and delivery will be retried" + until + "; you do not need to send it"
                                + " again.";
                    }
                    case SUCCESS ->
                        "Your message was delivered to the recipients listed below, as you asked to be told."
                                + " Where it was passed on to another mail system, that system sends no such"
                                + " reports: this is the last you will hear of it.";
                };
        out.text(what, width, "");
        for (Bouncer.Recipient recipient : recipients) {
            out.blank();
            out.text(
                    "<" + envelope.recipients().get(recipient.index()).mailbox().address() + ">", width, "");
            String where = recipient.last().remoteMta() == null
                    ? ""
                    : " (from " + recipient.last().remoteMta() + ")";
            out.text(recipient.last().diagnostic() + where, width, "    ");
        }
        out.blank();
        out.text(
                "Queue ID " + id.value() + ", received " + MailDates.format(arrival) + ". The machine-readable"
                        + " report and the original message (or its headers) are attached.",
                width,
                "");
    }
}
