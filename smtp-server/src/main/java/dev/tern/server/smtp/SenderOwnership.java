package dev.tern.server.smtp;

import dev.tern.smtp.address.LocalDestination;
import dev.tern.smtp.address.LocalMailboxes;
import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.PathParser;
import dev.tern.smtp.address.ReversePath;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Which reverse-paths an authenticated user may use (Postfix's reject_sender_login_mismatch): its own
 * address (a user named {@code alice} is {@code alice@} every local domain; a user named like an address is
 * that address), every address the local mailbox rule leads to the same place ({@code alice+tag@}, aliases
 * that point to her, the postmaster when it is her), and what {@code auth.senders} adds for it (full
 * addresses, or {@code @domain} for a whole domain). The null reverse-path is every user's, as Postfix leaves
 * it unchecked: it names no address to impersonate, and mail programs send read receipts (RFC 8098 2.1) and
 * automatic replies (RFC 3834 3.3) with it.
 */
public final class SenderOwnership {
    private final LocalMailboxes mailboxes;
    private final List<String> localDomains;
    private final Map<String, List<String>> senders;

    /**
     * @param mailboxes the rule that says where mail for a local address goes
     * @param localDomains the local domains, at each of which a plain user name has its address
     * @param senders user name to the addresses or {@code @domain}s it may also send as
     */
    public SenderOwnership(LocalMailboxes mailboxes, List<String> localDomains, Map<String, List<String>> senders) {
        this.mailboxes = mailboxes;
        this.localDomains = localDomains.stream().map(SenderOwnership::fold).toList();
        this.senders = senders.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        e -> fold(e.getKey()),
                        e -> e.getValue().stream().map(SenderOwnership::granted).toList()));
    }

    /** Whether {@code user} may use {@code from} as its reverse-path. */
    public boolean owns(String user, ReversePath from) {
        if (from.isNull()) {
            return true;
        }
        Mailbox mailbox = from.mailbox();
        String u = fold(user);
        String address = fold(mailbox.localPart()) + "@" + mailbox.domainKey();
        for (String granted : senders.getOrDefault(u, List.of())) {
            if (granted.equals(address)
                    || (granted.startsWith("@") && granted.substring(1).equals(mailbox.domainKey()))) {
                return true;
            }
        }
        String place = destination(mailbox);
        for (String own : ownAddresses(u)) {
            if (own.equals(address)) {
                return true;
            }
            int at = own.lastIndexOf('@');
            String ownPlace = destination(new Mailbox(own.substring(0, at), own.substring(at + 1)));
            // An address that is not local ends where it is: an alias pointing there leads to its owner.
            if (place != null && place.equals(ownPlace == null ? own : ownPlace)) {
                return true;
            }
        }
        return false;
    }

    private List<String> ownAddresses(String user) {
        return user.indexOf('@') > 0
                ? List.of(user)
                : localDomains.stream().map(d -> user + "@" + d).toList();
    }

    /** Where mail for {@code address} ends, as "local@domain": its folder, or an alias's off-site target. */
    private String destination(Mailbox address) {
        LocalDestination d = mailboxes.resolve(address);
        if (d instanceof LocalDestination.Rewrite r) {
            LocalDestination end = mailboxes.resolve(r.target());
            return end instanceof LocalDestination.Folder f ? text(f.mailbox()) : text(r.target());
        }
        return d instanceof LocalDestination.Folder f ? text(f.mailbox()) : null;
    }

    /**
     * An {@code auth.senders} entry in the form {@link #owns} compares: a local part as parsed (a quoted one
     * unquoted, {@code "a b"@x} as {@code a b@x}), a domain as its key, in lower case.
     */
    private static String granted(String entry) {
        boolean domain = entry.startsWith("@");
        return PathParser.parseMailbox(domain ? "x" + entry : entry)
                .map(m -> domain ? "@" + m.domainKey() : text(m))
                .orElse(fold(entry));
    }

    private static String text(Mailbox m) {
        return fold(m.localPart()) + "@" + m.domainKey();
    }

    private static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
