package dev.tern.smtp;

import dev.tern.smtp.address.Mailbox;
import java.util.Set;

/**
 * The ESMTP parameters of RCPT TO: NOTIFY and ORCPT (RFC 3461 4.1, 4.2). An empty notifyOn set means
 * the parameter was absent (the default applies: FAILURE, and DELAY at our discretion). {@code orcpt}
 * is the raw {@code addr-type;xtext} value, null when absent.
 */
public record RcptParameters(Set<Notify> notifyOn, String orcpt) {

    public static final RcptParameters NONE = new RcptParameters(Set.of(), null);

    public RcptParameters {
        notifyOn = Set.copyOf(notifyOn);
        if (notifyOn.contains(Notify.NEVER) && notifyOn.size() > 1) {
            throw new IllegalArgumentException("NOTIFY=NEVER stands alone");
        }
        if (orcpt != null) {
            SmtpText.requireSingleLine(orcpt, "ORCPT");
        }
    }

    /** These parameters, or {@link #NONE} when they equal it: the recipients of a large queue share one. */
    public RcptParameters shared() {
        return equals(NONE) ? NONE : this;
    }

    /**
     * These parameters with ORCPT naming {@code original}, unless the client gave one: when a recipient is
     * rewritten, reports keep naming the address the sender wrote (RFC 3461 4.2; RFC 6533 3 for an
     * internationalized address).
     */
    public RcptParameters withOriginalRecipient(Mailbox original) {
        if (orcpt != null) {
            return this;
        }
        String address = original.address();
        return new RcptParameters(
                notifyOn,
                original.needsSmtpUtf8()
                        ? "utf-8;" + Xtext.encodeUtf8Address(address)
                        : "rfc822;" + Xtext.encode(address));
    }

    public enum Notify {
        NEVER,
        SUCCESS,
        FAILURE,
        DELAY
    }
}
