package dev.tern.server.smtp;

import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.address.LocalDestination;
import dev.tern.smtp.address.LocalMailboxes;
import java.net.InetAddress;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * Who may send to whom, and which address the envelope carries. Local domains take mail from anyone for
 * their mailboxes and aliases, as {@link LocalMailboxes} (the rule local delivery follows too) resolves
 * them; any other domain is relayed only for authenticated sessions or trusted networks. The decision is
 * made on the parsed final domain of the forward-path, so {@code %}, {@code !}, quoted {@code @} and source
 * routes in an address cannot open a relay: they are just characters of the local part.
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

    /**
     * The recipient as it goes into the envelope, or the reply refusing it. An alias is rewritten to its
     * target here, at RCPT, so that an off-site target is delivered by MX like any remote recipient; the
     * address the client gave stays in ORCPT (RFC 3461 4.2) and the reverse-path is kept as it is (no SRS).
     */
    ParseResult<RcptTo> admit(RcptTo rcpt, boolean authenticated, InetAddress client) {
        return switch (mailboxes.resolve(rcpt.mailbox())) {
            case LocalDestination.Folder f -> ParseResult.parsed(rcpt);
            case LocalDestination.Rewrite r -> ParseResult.parsed(rcpt.forwardTo(r.target()));
            case LocalDestination.NoSuchUser n -> ParseResult.rejected(SmtpReplies.NO_SUCH_USER);
            case LocalDestination.NotLocal n ->
                authenticated || isTrusted(client)
                        ? ParseResult.parsed(rcpt)
                        : ParseResult.rejected(SmtpReplies.RELAY_DENIED);
        };
    }
}
