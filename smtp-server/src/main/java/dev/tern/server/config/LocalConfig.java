package dev.tern.server.config;

import dev.tern.smtp.address.LocalMailboxes;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

/**
 * Which mail is ours. {@code mailboxes} holds full addresses ({@code user@domain}); when it is empty every
 * local part of a local domain is accepted. {@code aliases} maps an address or local part to its target.
 * {@code recipientDelimiter} holds the characters that start an address extension ({@code u+tag} reaches
 * {@code u}, Postfix's {@code recipient_delimiter}); empty turns it off. {@code postmaster}, when set, is
 * where every postmaster address goes (RFC 5321 4.5.1); empty leaves each domain its own.
 */
public record LocalConfig(
        List<String> domains,
        List<String> mailboxes,
        Map<String, String> aliases,
        String recipientDelimiter,
        String postmaster) {
    public LocalConfig {
        // Domains are case-insensitive (RFC 5321 2.4); one case lets lookups be exact.
        domains = domains.stream().map(d -> d.toLowerCase(Locale.ROOT)).toList();
        mailboxes = List.copyOf(mailboxes);
        aliases = Map.copyOf(aliases);
    }

    /** The one rule RCPT and local delivery follow, for a server named {@code hostname}; refuses looping aliases. */
    public LocalMailboxes rule(String hostname) {
        return rule(hostname, literal -> false);
    }

    /** The same, taking mail for the address literals {@code ownLiteral} says are this host's (RFC 1123 5.2.17). */
    public LocalMailboxes rule(String hostname, Predicate<String> ownLiteral) {
        return new LocalMailboxes(domains, mailboxes, aliases, recipientDelimiter, postmaster, hostname, ownLiteral);
    }
}
