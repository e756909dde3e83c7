package dev.tern.relay.dsn;

import dev.tern.relay.queue.Bouncer;
import dev.tern.relay.spool.LastAttempt;
import dev.tern.smtp.RcptParameters.Notify;

/** The reports we send: a recipient failed for good, is still being retried, or was delivered. */
enum ReportKind {
    FAILURE("failed", Notify.FAILURE, "Undelivered Mail Returned to Sender"),
    DELAY("delayed", Notify.DELAY, "Delayed Mail (still being retried)"),
    /** Its Action depends on the recipient: see {@link #action(LastAttempt)}. */
    SUCCESS("delivered", Notify.SUCCESS, "Successful Mail Delivery Report");

    /** The Action field's value (RFC 3464 2.3.3), unless the recipient says otherwise. */
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
            case SUCCESS -> SUCCESS;
        };
    }

    /**
     * The Action for one recipient (RFC 3464 2.3.3): a success handed to another host is "relayed", as
     * RFC 3461 5.2.2 (b) asks when that host does not announce DSN; put in a mailbox here, "delivered"
     * (RFC 3461 5.2.3).
     */
    String action(LastAttempt last) {
        return this == SUCCESS && last.remoteMta() != null ? "relayed" : action;
    }
}
