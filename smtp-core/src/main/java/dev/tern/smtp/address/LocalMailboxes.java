package dev.tern.smtp.address;

import dev.tern.smtp.RcptTo;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Who lives in the local domains, and where mail for one of their addresses goes: the one rule that RCPT
 * (accept, refuse, rewrite) and local delivery (which Maildir folder) both follow, so they cannot disagree.
 *
 * <p>Addresses are matched in lower case even though RFC 5321 2.4 lets the receiving host decide, because
 * two mailboxes that differ only in case are a trap for users. An address of a local domain resolves so:
 *
 * <ol>
 *   <li>a postmaster address (RFC 5321 4.5.1: {@code postmaster} in any local domain, or at our own
 *       {@code hostname}) is rewritten to {@code postmaster} when that is set; otherwise {@code
 *       postmaster@hostname} stands for the first local domain's. A bare {@code <postmaster>} is read in
 *       {@link #postmasterDomain()};
 *   <li>an alias, keyed {@code local@domain} (that domain) or a bare {@code local} (every local domain; the
 *       address key wins), first for the whole local part, then for the part before the recipient delimiter,
 *       rewrites it to its target: an address, or a bare local part in the same domain. A target in a local
 *       domain resolves in turn, at most {@link #MAX_CHAIN} times; a loop is refused when this is built;
 *   <li>otherwise it is a mailbox when listed, or when the part before the delimiter is ({@code u+tag}
 *       reaches {@code u}, as Postfix's {@code recipient_delimiter}), or when no mailboxes are listed, or when
 *       it is postmaster, which always exists; the end of an alias chain exists too, since an alias names it.
 * </ol>
 *
 * <p>The delimiter is a set of characters, any of which splits the local part at its first occurrence after
 * the first character; empty turns extensions off.
 */
public final class LocalMailboxes {
    /** RFC 5321 4.5.1: every domain that accepts mail has a postmaster. */
    public static final String POSTMASTER = "postmaster";
    /** Most aliases followed from one address. */
    public static final int MAX_CHAIN = 10;
    /** Longest folder name most file systems take (NAME_MAX, in bytes). */
    private static final int MAX_FOLDER_NAME_BYTES = 255;

    private final Set<String> domains;
    /** Where {@code postmaster@hostname} goes when {@link #postmaster} is not set; null with no domain. */
    private final String firstDomain;

    private final Set<String> mailboxes;
    private final Map<String, String> aliases;
    private final String delimiters;
    private final Mailbox postmaster;
    private final String hostname;
    private final Predicate<String> ownLiteral;
    /** Folder addresses that exist because an alias chain or the postmaster rule ends there. */
    private final Set<String> targets = new HashSet<>();

    /**
     * @param domains the local domains; the first receives {@code postmaster@hostname}
     * @param mailboxes addresses ({@code user@domain}) that exist; empty means every local part
     * @param aliases alias to target, as above
     * @param recipientDelimiter characters that start an address extension; empty for none
     * @param postmaster where every postmaster address goes; empty for each domain's own postmaster
     * @param hostname our own name, whose postmaster is ours too
     * @throws IllegalArgumentException when aliases loop or chain past {@link #MAX_CHAIN}, when nothing
     *     could receive a postmaster's mail (no local domain and no {@code postmaster}), or when a local domain
     *     cannot name a folder ({@link #isFolderName})
     */
    public LocalMailboxes(
            List<String> domains,
            Collection<String> mailboxes,
            Map<String, String> aliases,
            String recipientDelimiter,
            String postmaster,
            String hostname) {
        this(domains, mailboxes, aliases, recipientDelimiter, postmaster, hostname, literal -> false);
    }

    /**
     * The same, with {@code ownLiteral} telling which address literals ({@code [192.0.2.1]}, {@code
     * [ipv6:2001:db8::1]}, in lower case) name this host: RFC 1123 5.2.17 asks a server to take mail for them
     * as its own.
     */
    public LocalMailboxes(
            List<String> domains,
            Collection<String> mailboxes,
            Map<String, String> aliases,
            String recipientDelimiter,
            String postmaster,
            String hostname,
            Predicate<String> ownLiteral) {
        this.ownLiteral = Objects.requireNonNull(ownLiteral, "ownLiteral");
        this.domains = Set.copyOf(domains.stream().map(LocalMailboxes::lower).toList());
        for (String domain : this.domains) {
            // Each local domain names the folder above its mailboxes' own, once and for all.
            if (!isFolderName(domain)) {
                throw new IllegalArgumentException("a local domain that cannot name a mail folder: " + domain);
            }
        }
        this.firstDomain = domains.isEmpty() ? null : lower(domains.getFirst());
        this.mailboxes =
                Set.copyOf(mailboxes.stream().map(LocalMailboxes::lower).toList());
        Map<String, String> lowered = new HashMap<>();
        aliases.forEach((key, target) -> lowered.put(lower(key), target));
        this.aliases = Map.copyOf(lowered);
        this.delimiters = recipientDelimiter;
        this.postmaster = postmaster.isEmpty() ? null : split(postmaster, null);
        this.hostname = lower(hostname);
        if (firstDomain == null && this.postmaster == null) {
            throw new IllegalArgumentException("with no local domain, postmaster mail needs a postmaster address");
        }
        for (Mailbox start : startingPoints()) {
            Mailbox end = lower(endOfChain(start));
            if (this.domains.contains(end.domain())) {
                String base = base(end.localPart());
                targets.add((base == null ? end.localPart() : base) + "@" + end.domain());
            }
        }
    }

    /** The domain of a bare {@code <postmaster>} (RFC 5321 4.1.1.3): the first local domain, else our name. */
    public String postmasterDomain() {
        return firstDomain != null ? firstDomain : hostname;
    }

    /**
     * True when {@code name} (a local part in lower case, or a domain) can be one folder's name under the mail
     * root: no separators, not {@code .} or {@code ..} (which would climb out), no leading dot (Maildir++ keeps
     * its subfolders there), no control characters and not too long. A mailbox whose folder name is not one is
     * refused at RCPT, so that nothing is taken for it that local delivery would only bounce.
     */
    public static boolean isFolderName(String name) {
        if (name.isEmpty() || name.charAt(0) == '.') {
            return false;
        }
        int bytes = 0; // its length in UTF-8, counted without encoding it (this runs at every RCPT)
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < 0x20 || c == 0x7f || c == '/' || c == '\\') {
                return false;
            }
            bytes += c < 0x80 ? 1 : c < 0x800 || Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes <= MAX_FOLDER_NAME_BYTES;
    }

    /** True for the local part {@code postmaster}, in any case (RFC 5321 4.5.1). */
    public static boolean isPostmaster(String localPart) {
        return lower(localPart).equals(POSTMASTER);
    }

    /** Where mail for {@code address} goes. */
    public LocalDestination resolve(Mailbox address) {
        Mailbox a = lower(address);
        if (a.domain().startsWith("[") && ownLiteral.test(a.domain())) {
            return ownLiteral(a);
        }
        if (!isOurs(a)) {
            return LocalDestination.NOT_LOCAL;
        }
        Mailbox end = endOfChain(a);
        if (!lower(end).equals(a) || !domains.contains(a.domain())) {
            return new LocalDestination.Rewrite(end);
        }
        return folder(a);
    }

    /**
     * An address at one of our own address literals (RFC 1123 5.2.17, as Postfix reads one of its interfaces'):
     * the same local part in the first local domain, rewritten there when it exists; with no local domain only
     * the postmaster is ours there, as at our host name.
     */
    private LocalDestination ownLiteral(Mailbox a) {
        Mailbox here = firstDomain != null
                ? new Mailbox(a.localPart(), firstDomain)
                : isPostmasterAddress(a) ? new Mailbox(a.localPart(), hostname) : null;
        if (here == null) {
            return LocalDestination.NO_SUCH_USER;
        }
        return switch (resolve(here)) {
            case LocalDestination.Folder f -> new LocalDestination.Rewrite(here);
            case LocalDestination.NotLocal n -> LocalDestination.NO_SUCH_USER;
            case LocalDestination other -> other;
        };
    }

    /**
     * {@code rcpt} addressed to where its alias or the postmaster rule leads (ORCPT keeps the address it
     * had), else {@code rcpt}.
     */
    public RcptTo rewrite(RcptTo rcpt) {
        return resolve(rcpt.mailbox()) instanceof LocalDestination.Rewrite r ? rcpt.forwardTo(r.target()) : rcpt;
    }

    private boolean isOurs(Mailbox a) {
        return domains.contains(a.domain()) || a.domain().equals(hostname) && isPostmasterAddress(a);
    }

    private boolean isPostmasterAddress(Mailbox a) {
        return a.localPart().equals(POSTMASTER) || POSTMASTER.equals(base(a.localPart()));
    }

    private LocalDestination folder(Mailbox a) {
        if (mailboxes.contains(key(a)) || targets.contains(key(a))) {
            return usable(a);
        }
        String base = base(a.localPart());
        Mailbox m = base == null ? a : new Mailbox(base, a.domain());
        boolean exists = mailboxes.isEmpty()
                || mailboxes.contains(key(m))
                || targets.contains(key(m))
                || m.localPart().equals(POSTMASTER);
        return exists ? usable(m) : LocalDestination.NO_SUCH_USER;
    }

    /** The folder of {@code m}, when its name is one a folder can have (the domain's was checked at start). */
    private static LocalDestination usable(Mailbox m) {
        return isFolderName(m.localPart()) ? new LocalDestination.Folder(m) : LocalDestination.UNUSABLE_NAME;
    }

    /** Follows aliases (and the postmaster rule) from {@code start}; refuses loops and overlong chains. */
    private Mailbox endOfChain(Mailbox start) {
        List<Mailbox> seen = new ArrayList<>(List.of(lower(start)));
        Mailbox current = start;
        while (isOurs(lower(current))) {
            Mailbox next = step(lower(current));
            if (next == null || lower(next).equals(lower(current))) {
                break;
            }
            if (seen.contains(lower(next))) {
                throw new IllegalArgumentException("aliases loop: " + chain(seen, next));
            }
            seen.add(lower(next));
            if (seen.size() > MAX_CHAIN + 1) {
                throw new IllegalArgumentException(
                        "more than " + MAX_CHAIN + " aliases in a row: " + chain(seen, null));
            }
            current = next;
        }
        return current;
    }

    /** The next address of a chain, or null where it ends; {@code a} is in lower case and ours. */
    private Mailbox step(Mailbox a) {
        boolean isPostmaster = isPostmasterAddress(a);
        if (isPostmaster && postmaster != null) {
            return postmaster;
        }
        if (!domains.contains(a.domain())) {
            // postmaster@hostname, with the hostname not a local domain.
            return new Mailbox(POSTMASTER, firstDomain);
        }
        Mailbox target = alias(a.localPart(), a.domain());
        String base = base(a.localPart());
        return target == null && base != null ? alias(base, a.domain()) : target;
    }

    private Mailbox alias(String local, String domain) {
        String target = aliases.get(local + "@" + domain);
        if (target == null) {
            target = aliases.get(local);
        }
        return target == null ? null : here(split(target, domain));
    }

    /**
     * {@code m}, but at one of our own address literals read as the first local domain (RFC 1123 5.2.17), as
     * {@link #resolve} reads a recipient there: an alias naming one leads on here, not out and back as a loop.
     */
    private Mailbox here(Mailbox m) {
        return firstDomain != null && m.domain().startsWith("[") && ownLiteral.test(lower(m).domain())
                ? new Mailbox(m.localPart(), firstDomain)
                : m;
    }

    /** The local part before the first delimiter that follows its first character, or null. */
    private String base(String local) {
        for (int i = 1; i < local.length() && !delimiters.isEmpty(); i++) {
            if (delimiters.indexOf(local.charAt(i)) >= 0) {
                return local.substring(0, i);
            }
        }
        return null;
    }

    /** Every address an alias chain can start from: each alias key, and each postmaster address. */
    private Set<Mailbox> startingPoints() {
        Set<Mailbox> starts = new LinkedHashSet<>();
        starts.add(new Mailbox(POSTMASTER, hostname));
        for (String domain : domains) {
            starts.add(new Mailbox(POSTMASTER, domain));
            for (String key : aliases.keySet()) {
                Mailbox m = split(key, domain);
                if (domains.contains(m.domain())) {
                    starts.add(m);
                }
            }
        }
        return starts;
    }

    /** {@code user@domain}, or a bare {@code user} in {@code domain}. */
    private static Mailbox split(String address, String domain) {
        int at = address.lastIndexOf('@');
        if (at == 0 || at == address.length() - 1 || at < 0 && domain == null) {
            throw new IllegalArgumentException("not an address: " + address);
        }
        return at > 0 ? new Mailbox(address.substring(0, at), address.substring(at + 1)) : new Mailbox(address, domain);
    }

    private static String chain(List<Mailbox> seen, Mailbox next) {
        StringBuilder sb = new StringBuilder();
        for (Mailbox m : seen) {
            sb.append(sb.isEmpty() ? "" : " -> ").append(key(m));
        }
        return next == null
                ? sb.toString()
                : sb.append(" -> ").append(key(lower(next))).toString();
    }

    private static String key(Mailbox m) {
        return m.localPart() + "@" + m.domain();
    }

    private static Mailbox lower(Mailbox m) {
        return new Mailbox(lower(m.localPart()), lower(m.domain()));
    }

    private static String lower(String s) {
        return s.toLowerCase(Locale.ROOT);
    }
}
