package dev.tern.relay.route;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The one routing decision: per recipient domain, local mailboxes, a configured smarthost, or the mail
 * exchangers in DNS. Decided once, at start, for every domain the configuration names; every other domain
 * goes by MX. Domains compare without regard to case (RFC 5321 2.4). Immutable, so any thread may ask.
 */
public final class Routing {
    private final Map<String, Route> decided;

    /**
     * @param localDomains delivered here; a local domain wins over a route naming it (the configuration
     *     refuses such a pair, so this only settles what cannot happen)
     * @param smarthosts recipient domain to its smarthost
     */
    public Routing(Set<String> localDomains, Map<String, Smarthost> smarthosts) {
        Map<String, Route> routes = new HashMap<>();
        smarthosts.forEach((domain, smarthost) -> routes.put(key(domain), smarthost));
        localDomains.forEach(domain -> routes.put(key(domain), Route.LOCAL));
        this.decided = Map.copyOf(routes);
    }

    /** Where mail for {@code domain} goes. */
    public Route of(String domain) {
        return decided.getOrDefault(key(domain), Route.MX);
    }

    private static String key(String domain) {
        return domain.toLowerCase(Locale.ROOT);
    }
}
