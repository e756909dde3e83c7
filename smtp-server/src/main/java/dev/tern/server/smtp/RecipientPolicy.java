package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.LocalDestination;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Who may send to whom. Local domains take mail from anyone for their mailboxes, as {@link LocalMailboxes}
 * (the rule local delivery follows too) resolves them; any other domain is relayed only for authenticated
 * sessions or trusted networks. The decision is made on the parsed final domain of the forward-path, so
 * {@code %}, {@code !}, quoted {@code @} and source routes in an address cannot open a relay: they are just
 * characters of the local part.
 */
public final class RecipientPolicy {
    private final LocalMailboxes mailboxes;
    private final Predicate<InetAddress> trustedNetworks;

    public RecipientPolicy(LocalMailboxes mailboxes, Predicate<InetAddress> trustedNetworks) {
        this.mailboxes = Objects.requireNonNull(mailboxes, "mailboxes");
        this.trustedNetworks = Objects.requireNonNull(trustedNetworks, "trustedNetworks");
    }

    public boolean isTrusted(InetAddress client) {
        return trustedNetworks.test(client);
    }

    /** The reply refusing this recipient, or null when it is accepted. */
    SmtpReply check(Mailbox recipient, boolean authenticated, InetAddress client) {
        return switch (mailboxes.resolve(recipient)) {
            case LocalDestination.Folder f -> null;
            case LocalDestination.Rewrite r -> null;
            case LocalDestination.NoSuchUser n -> SmtpReplies.NO_SUCH_USER;
            case LocalDestination.NotLocal n -> authenticated || isTrusted(client) ? null : SmtpReplies.RELAY_DENIED;
        };
    }
}
