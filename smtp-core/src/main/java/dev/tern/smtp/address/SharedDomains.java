package dev.tern.smtp.address;

/**
 * One {@code String} for a domain that many mailboxes name. A queue of many messages to the same few
 * domains would otherwise hold a copy of each domain per message, which the collector walks again on
 * every cycle. A fixed table of recent domains, indexed by hash: bounded, and a miss only costs the
 * sharing. Safe from any thread: a string is immutable, so a racing reader sees either entry whole.
 */
final class SharedDomains {

    private static final int SIZE = 256;
    private static final String[] RECENT = new String[SIZE];

    private SharedDomains() {}

    /** {@code domain}, or an equal string seen before. */
    static String share(String domain) {
        int slot = domain.hashCode() & (SIZE - 1);
        String recent = RECENT[slot];
        if (domain.equals(recent)) {
            return recent;
        }
        RECENT[slot] = domain;
        return domain;
    }
}
