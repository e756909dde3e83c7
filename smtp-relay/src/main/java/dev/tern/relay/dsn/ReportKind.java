package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.smtp.RcptParameters.Notify;

/** The two reports we send: a recipient failed for good, or is still being retried. */
enum ReportKind {
    FAILURE("failed", Notify.FAILURE, "Undelivered Mail Returned to Sender"),
    DELAY("delayed", Notify.DELAY, "Delayed Mail (still being retried)");

    /** The Action field's value (RFC 3464 2.3.3). */
    final String action;
    /** The NOTIFY keyword that asks for this report (RFC 3461 4.1). */
    final Notify notify;

    final String subject;

    ReportKind(String action, Notify notify, String subject) {
        this.action = action;
        this.notify = notify;
        this.subject = subject;
    }

    static ReportKind of(Bouncer.Kind kind) {
        return switch (kind) {
            case FAILURE -> FAILURE;
            case DELAY -> DELAY;
        };
    }
}
