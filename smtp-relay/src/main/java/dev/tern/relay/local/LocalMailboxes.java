package dev.tern.relay.local;

import dev.tern.smtp.address.Mailbox;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Who lives in the local domains.
 *
 * <p>Everything is held in lower case: local parts are matched case-insensitively here even though
 * RFC 5321 2.4 lets the receiving host decide, because two mailboxes that differ only in case are a
 * trap for users. A mailbox entry is a full address {@code user@domain} (or a bare {@code user},
 * which exists in every local domain). An alias key is {@code local@domain} (that domain only) or a
 * bare {@code local} (every local domain; the address key wins); its target is {@code user} (same
 * domain) or an address, and it counts as an existing mailbox because the alias names it. Aliases
 * resolve one level only, so they cannot loop.
 *
 * @param domains the local domains
 * @param mailboxes the addresses that exist; empty means any local part of a local domain is a mailbox
 * @param aliases alias to target, as above
 */
public record LocalMailboxes(Set<String> domains, Set<String> mailboxes, Map<String, String> aliases) {

    /** RFC 5321 4.5.1: every domain that accepts mail has a postmaster. */
    static final String POSTMASTER = "postmaster";

    public LocalMailboxes {
        domains = lowerCased(domains);
        mailboxes = lowerCased(mailboxes);
        Map<String, String> lowered = new HashMap<>();
        for (Map.Entry<String, String> e : aliases.entrySet()) {
            String target = lower(e.getValue());
            int at = target.lastIndexOf('@');
            if (target.isEmpty() || at == 0 || at == target.length() - 1) {
                throw new IllegalArgumentException("alias " + e.getKey() + " has no usable target: " + e.getValue());
            }
            lowered.put(lower(e.getKey()), target);
        }
        aliases = Map.copyOf(lowered);
    }

    /** True when mail for this domain is delivered here. */
    public boolean isLocal(String domain) {
        return domains.contains(lower(domain));
    }

    /**
     * The mailbox name the address is delivered to: the lower-cased local part after alias
     * resolution, or empty when there is no such user, the domain is not local, or an alias sends it
     * outside the local domains.
     */
    public Optional<String> resolve(Mailbox address) {
        return resolveAddress(address).filter(m -> domains.contains(m.domain())).map(Mailbox::localPart);
    }

    /**
     * The address whose folder receives mail for {@code address}, in lower case: itself or its alias
     * target. Empty when there is no such user or the domain is not local. The result's domain is not
     * local only when an alias points elsewhere, which local delivery cannot follow.
     */
    public Optional<Mailbox> resolveAddress(Mailbox address) {
        String domain = address.domainKey();
        if (!domains.contains(domain)) {
            return Optional.empty();
        }
        String local = lower(address.localPart());
        String target = aliases.get(local + "@" + domain);
        if (target == null) {
            target = aliases.get(local);
        }
        if (target != null) {
            int at = target.lastIndexOf('@');
            return Optional.of(
                    at > 0
                            ? new Mailbox(target.substring(0, at), target.substring(at + 1))
                            : new Mailbox(target, domain));
        }
        boolean exists = mailboxes.isEmpty()
                || mailboxes.contains(local + "@" + domain)
                || mailboxes.contains(local)
                || local.equals(POSTMASTER);
        return exists ? Optional.of(new Mailbox(local, domain)) : Optional.empty();
    }

    private static Set<String> lowerCased(Set<String> values) {
        Set<String> out = new HashSet<>();
        for (String v : values) {
            out.add(lower(v));
        }
        return Set.copyOf(out);
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
