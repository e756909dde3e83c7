package dev.tern.smtp.address;

/**
 * The reverse-path of MAIL FROM (RFC 5321 4.1.2): a mailbox, or the null path {@code <>} used by
 * delivery status notifications, which must never be bounced (RFC 5321 6.1).
 */
public record ReversePath(Mailbox mailbox) {

    public static final ReversePath NULL = new ReversePath(null);

    public boolean isNull() {
        return mailbox == null;
    }

    /** The path as written in MAIL FROM, with angle brackets. */
    public String toPathString() {
        return isNull() ? "<>" : "<" + mailbox.address() + ">";
    }

    @Override
    public String toString() {
        return toPathString();
    }
}
