package dev.tern.server.smtp;

import dev.tern.smtp.SmtpReplies;
import dev.tern.smtp.SmtpReply;
import dev.tern.smtp.address.Mailbox;
import java.net.InetAddress;
import java.util.Collection;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;

/**
 * Who may send to whom. Local domains take mail from anyone for their mailboxes; any other domain
 * is relayed only for authenticated sessions or trusted networks. The decision is made on the parsed
 * final domain of the forward-path, so {@code %}, {@code !}, quoted {@code @} and source routes in
 * an address cannot open a relay: they are just characters of the local part.
 */
public final class RecipientPolicy {
    private final Set<String> localDomains;
    private final Set<String> mailboxes;
    private final Map<String, String> aliases;
    private final Predicate<InetAddress> trustedNetworks;

    /**
     * @param mailboxes the addresses ({@code user@domain}) that exist; empty means every local part of a
     *     local domain
     * @param aliases an address or a bare local part (for every local domain) to its target address
     */
    public RecipientPolicy(
            Collection<String> localDomains,
            Collection<String> mailboxes,
            Map<String, String> aliases,
            Predicate<InetAddress> trustedNetworks) {
        this.localDomains = lowerCase(localDomains);
        this.mailboxes = lowerCase(mailboxes);
        this.aliases = aliases.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> e.getKey().toLowerCase(Locale.ROOT), e -> e.getValue()
                        .toLowerCase(Locale.ROOT)));
        this.trustedNetworks = trustedNetworks;
    }

    public boolean isLocal(Mailbox mailbox) {
        return localDomains.contains(mailbox.domainKey());
    }

    public boolean isTrusted(InetAddress client) {
        return trustedNetworks.test(client);
    }

    /** The reply refusing this recipient, or null when it is accepted. */
    SmtpReply check(Mailbox recipient, boolean authenticated, InetAddress client) {
        if (isLocal(recipient)) {
            return hasMailbox(recipient) ? null : SmtpReplies.NO_SUCH_USER;
        }
        return authenticated || isTrusted(client) ? null : SmtpReplies.RELAY_DENIED;
    }

    private boolean hasMailbox(Mailbox recipient) {
        String local = recipient.localPart().toLowerCase(Locale.ROOT);
        String address = local + "@" + recipient.domainKey();
        // RFC 5321 4.5.1: postmaster must always be accepted.
        return mailboxes.isEmpty()
                || local.equals("postmaster")
                || mailboxes.contains(address)
                || aliases.containsKey(address)
                || aliases.containsKey(local);
    }

    private static Set<String> lowerCase(Collection<String> values) {
        return values.stream().map(v -> v.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
