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
 * trap for users. An alias key is either {@code local} (in every local domain) or
 * {@code local@domain} (that domain only; wins over the bare key); its target is {@code user} (same
 * domain) or {@code user@localdomain}. Aliases resolve one level only, so they cannot loop.
 *
 * @param domains the local domains
 * @param mailboxes the users that exist; empty means any local part is a mailbox
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
            if (at == 0 || (at > 0 && !domains.contains(target.substring(at + 1)))) {
                throw new IllegalArgumentException(
                        "alias " + e.getKey() + " points outside the local domains: " + e.getValue());
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
     * resolution, or empty when there is no such user (or the domain is not local).
     */
    public Optional<String> resolve(Mailbox address) {
        return resolveAddress(address).map(Mailbox::localPart);
    }

    /** Like {@link #resolve}, with the domain whose folder holds the mailbox (an alias may change it). */
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
            if (at > 0) {
                domain = target.substring(at + 1);
                local = target.substring(0, at);
            } else {
                local = target;
            }
        }
        if (local.isEmpty() || !(mailboxes.isEmpty() || mailboxes.contains(local) || local.equals(POSTMASTER))) {
            return Optional.empty();
        }
        return Optional.of(new Mailbox(local, domain));
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
