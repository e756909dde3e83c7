package dev.tern.smtp.address;

import java.util.Objects;

/**
 * Where mail for one address goes, as {@link LocalMailboxes} decides it: the answer both RCPT (accept,
 * refuse, rewrite) and local delivery (which Maildir folder) act on.
 */
public sealed interface LocalDestination {

    /** The domain is not one of ours: whether to relay is the RCPT policy's question. */
    LocalDestination NOT_LOCAL = new NotLocal();

    /** A local domain without this mailbox (RFC 3463 X.1.1). */
    LocalDestination NO_SUCH_USER = new NoSuchUser();

    /**
     * A local domain's address whose mailbox would be a folder that cannot be made safely (a path separator,
     * a leading dot, a control character: see {@link LocalMailboxes#isFolderName}); RFC 3463 X.1.3.
     */
    LocalDestination UNUSABLE_NAME = new UnusableName();

    record NotLocal() implements LocalDestination {}

    record NoSuchUser() implements LocalDestination {}

    record UnusableName() implements LocalDestination {}

    /**
     * A mailbox here. {@code mailbox} names its Maildir folder: lower case, without the part after the
     * recipient delimiter.
     */
    record Folder(Mailbox mailbox) implements LocalDestination {
        public Folder {
            Objects.requireNonNull(mailbox, "mailbox");
        }
    }

    /**
     * An alias or the postmaster rule: the mail is for {@code target}, in a local domain or elsewhere. The
     * target is the end of the alias chain: it is never rewritten again.
     */
    record Rewrite(Mailbox target) implements LocalDestination {
        public Rewrite {
            Objects.requireNonNull(target, "target");
        }
    }
}
