package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.Envelope;
import dev.tern.smtp.MailParameters;
import dev.tern.smtp.RcptParameters;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import io.netty.buffer.ByteBuf;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Builds delivery status notifications (RFC 3464) for recipients that failed, are delayed or were
 * delivered, from what the spool recorded of them.
 *
 * <p>The original content is only read (indexes untouched, never released): the caller owns it.
 */
public final class DsnBuilder {
    private final String reportingMta;
    private final Clock clock;
    private final AtomicLong counter = new AtomicLong();

    public DsnBuilder(String reportingMta, Clock clock) {
        this.reportingMta = Objects.requireNonNull(reportingMta, "reportingMta");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /**
     * The report {@code report} describes, or null when none is due: the reverse-path is null, or no
     * listed recipient asked for this kind of report.
     */
    public Dsn build(Bouncer.Report report, ByteBuf originalContent) {
        Envelope envelope = report.envelope();
        ReportKind kind = ReportKind.of(report.kind());
        if (envelope.reversePath().isNull()) {
            // RFC 5321 4.5.5 and 6.1: a notification is never sent to the null reverse-path.
            return null;
        }
        List<Bouncer.Recipient> reported = new ArrayList<>();
        for (Bouncer.Recipient recipient : report.recipients()) {
            if (wants(envelope.recipients().get(recipient.index()).parameters(), kind, recipient.last())) {
                reported.add(recipient);
            }
        }
        if (reported.isEmpty()) {
            return null;
        }
        Mailbox sender = envelope.reversePath().mailbox();
        // RFC 3461 4.3: RET=FULL returns the message; HDRS or no RET returns its headers (our choice).
        // RFC 3461 6.2: a report of no failure returns only the headers.
        boolean full = envelope.parameters().ret() == MailParameters.Ret.FULL && kind == ReportKind.FAILURE;
        OriginalMessage original = OriginalMessage.of(originalContent, full);
        Instant now = clock.instant();
        long serial = counter.incrementAndGet();
        ReportWriter writer = new ReportWriter(reportingMta, kind, now, serial);
        byte[] content = writer.write(report.id(), envelope, report.arrival(), reported, original, report.retryUntil());
        boolean eightBit = OriginalMessage.isEightBit(content);
        MailParameters parameters = new MailParameters(
                -1,
                // RFC 6152: 8-bit octets need BODY=8BITMIME; a UTF-8 sender address needs SMTPUTF8 (RFC 6531).
                eightBit ? MailParameters.Body.EIGHT_BIT_MIME : MailParameters.Body.SEVEN_BIT,
                sender.needsSmtpUtf8(),
                null,
                null,
                null,
                // RFC 8689 5: the report of a REQUIRETLS message carries its header, so it goes with REQUIRETLS too.
                envelope.parameters().requireTls());
        // RFC 3461 6.2: the notification goes from the null reverse-path, so it can never bounce in turn.
        RcptTo to = new RcptTo(sender, RcptParameters.NONE);
        return new Dsn(new Envelope(ReversePath.NULL, List.of(to), parameters), content);
    }

    /**
     * RFC 3461 4.1: no NOTIFY means FAILURE and DELAY; otherwise only what was asked (NEVER asks nothing).
     * A success handed to a next hop that announced DSN is that host's to report (RFC 3461 5.2.1).
     */
    static boolean wants(RcptParameters parameters, ReportKind kind, LastAttempt last) {
        if (kind == ReportKind.SUCCESS) {
            return parameters.notifyOn().contains(kind.notify) && !last.nextHopDsn();
        }
        return parameters.notifyOn().isEmpty() || parameters.notifyOn().contains(kind.notify);
    }
}
