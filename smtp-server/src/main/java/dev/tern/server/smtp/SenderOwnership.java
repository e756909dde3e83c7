package dev.tern.server.smtp;

import dev.tern.smtp.address.Mailbox;
import dev.tern.smtp.address.ReversePath;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Which reverse-paths an authenticated user may use (Postfix's reject_sender_login_mismatch): its own
 * address (a user named {@code alice} is {@code alice@} every local domain; a user named like an address is
 * that address), every alias that points to one of those, and what {@code auth.senders} adds for it (full
 * addresses, or {@code @domain} for a whole domain). The null reverse-path is nobody's: bounces are the
 * server's to send, not a user's.
 */
public final class SenderOwnership {
    private final Set<String> localDomains;
    private final Map<String, String> aliases;
    private final Map<String, List<String>> senders;

    /**
     * @param aliases an address or a bare local part (for every local domain) to its target address
     * @param senders user name to the addresses or {@code @domain}s it may also send as
     */
    public SenderOwnership(
            Collection<String> localDomains, Map<String, String> aliases, Map<String, List<String>> senders) {
        this.localDomains = localDomains.stream().map(SenderOwnership::fold).collect(Collectors.toUnmodifiableSet());
        this.aliases = aliases.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(e -> fold(e.getKey()), e -> fold(e.getValue())));
        this.senders = senders.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        e -> fold(e.getKey()),
                        e -> e.getValue().stream().map(SenderOwnership::fold).toList()));
    }

    /** Whether {@code user} may use {@code from} as its reverse-path. */
    public boolean owns(String user, ReversePath from) {
        if (from.isNull()) {
            return false;
        }
        Mailbox mailbox = from.mailbox();
        String u = fold(user);
        String local = fold(mailbox.localPart());
        String domain = mailbox.domainKey();
        String address = local + "@" + domain;
        if (isOwn(u, address)) {
            return true;
        }
        for (String granted : senders.getOrDefault(u, List.of())) {
            if (granted.equals(address)
                    || (granted.startsWith("@") && granted.substring(1).equals(domain))) {
                return true;
            }
        }
        // An alias of the user's: the full address, or a bare local part on a local domain.
        String target = aliases.get(address);
        if (target == null && localDomains.contains(domain)) {
            target = aliases.get(local);
        }
        return target != null && isOwn(u, target);
    }

    /** The user's own address: itself when it is an address, else its name at any local domain. */
    private boolean isOwn(String user, String address) {
        if (user.indexOf('@') >= 0) {
            return address.equals(user);
        }
        int at = address.lastIndexOf('@');
        return at > 0 && address.substring(0, at).equals(user) && localDomains.contains(address.substring(at + 1));
    }

    private static String fold(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
