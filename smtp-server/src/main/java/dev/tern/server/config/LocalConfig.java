package dev.tern.server.config;

import java.util.List;
import java.util.Map;

/**
 * Which mail is ours. {@code mailboxes} holds full addresses ({@code user@domain}); when it is empty every
 * local part of a local domain is accepted. {@code aliases} maps an address or local part to its target.
 */
public record LocalConfig(List<String> domains, List<String> mailboxes, Map<String, String> aliases) {
    public LocalConfig {
        domains = List.copyOf(domains);
        mailboxes = List.copyOf(mailboxes);
        aliases = Map.copyOf(aliases);
    }
}
