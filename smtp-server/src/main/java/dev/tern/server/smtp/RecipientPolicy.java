package dev.tern.server.smtp;

import dev.tern.smtp.ParseResult;
import dev.tern.smtp.RcptTo;
import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.address.LocalDestination;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Who may send to whom, and which address the envelope carries. Local domains take mail from anyone for
 * their mailboxes and aliases, as {@link LocalMailboxes} (the rule local delivery follows too) resolves
 * them; relay domains take it from anyone for their listed recipients (all, when none is listed) and their
 * postmaster, to pass it on; any other domain is relayed only for authenticated sessions or trusted
 * networks. The decision is
 * made on the parsed final domain of the forward-path, so {@code %}, {@code !}, quoted {@code @} and source
 * routes in an address cannot open a relay: they are just characters of the local part.
 */
public final class RecipientPolicy {
    private final LocalMailboxes mailboxes;
    private final Set<String> relayDomains;
    private final Set<String> relayRecipients;
    private final Predicate<InetAddress> trustedNetworks;

    /**
     * @param relayDomains domains whose mail anyone may send us, for delivery elsewhere
     * @param relayRecipients their addresses ({@code user@domain}) that exist; empty means every address
     */
    public RecipientPolicy(
            LocalMailboxes mailboxes,
            Collection<String> relayDomains,
            Collection<String> relayRecipients,
            Predicate<InetAddress> trustedNetworks) {
        this.mailboxes = Objects.requireNonNull(mailboxes, "mailboxes");
        this.relayDomains = lowerCase(relayDomains);
        this.relayRecipients = lowerCase(relayRecipients);
        this.trustedNetworks = Objects.requireNonNull(trustedNetworks, "trustedNetworks");
    }

    public boolean isTrusted(InetAddress client) {
        return trustedNetworks.test(client);
    }

    /** The domain a bare {@code <postmaster>} is read in. */
    String postmasterDomain() {
        return mailboxes.postmasterDomain();
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
            case LocalDestination.UnusableName u -> ParseResult.rejected(SmtpReplies.UNUSABLE_MAILBOX_NAME);
            case LocalDestination.NotLocal n -> relay(rcpt, authenticated, client);
        };
    }

    private ParseResult<RcptTo> relay(RcptTo rcpt, boolean authenticated, InetAddress client) {
        Mailbox m = rcpt.mailbox();
        if (relayDomains.contains(m.domainKey())) {
            // We serve this domain (backup MX, gateway), so its postmaster is ours to accept too (RFC 5321 4.5.1).
            boolean exists = relayRecipients.isEmpty()
                    || relayRecipients.contains(m.localPart().toLowerCase(Locale.ROOT) + "@" + m.domainKey())
                    || LocalMailboxes.isPostmaster(m.localPart());
            return exists ? ParseResult.parsed(rcpt) : ParseResult.rejected(SmtpReplies.NO_SUCH_USER);
        }
        return authenticated || isTrusted(client)
                ? ParseResult.parsed(rcpt)
                : ParseResult.rejected(SmtpReplies.RELAY_DENIED);
    }

    private static Set<String> lowerCase(Collection<String> values) {
        return values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
