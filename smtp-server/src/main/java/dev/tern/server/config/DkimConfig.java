package dev.tern.server.config;

import dev.tern.server.dkim.Canonicalization;
import dev.tern.server.dkim.DkimKey;
import dev.tern.server.dkim.DkimKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * DKIM signing of the mail Tern accepts from its own users (authenticated clients and trusted networks).
 *
 * @param domains the author's domain (of the From address; lower case) to its keys, {@code SELECTOR:ALGORITHM
 *     :KEY-FILE} each; {@code *} gives the keys for every other domain, signed with that domain's name
 * @param headers names of the fields signed when present (From always, and once more than present)
 * @param expireAfter the x= tag this long after t=; zero: none
 * @param threads the threads that hash and sign, off the event loops
 * @param maxPending messages waiting for those threads at most; past it a message gets 451 4.3.0
 */
public record DkimConfig(
        Map<String, List<DkimKeySpec>> domains,
        Canonicalization canonicalization,
        List<String> headers,
        Duration expireAfter,
        int threads,
        int maxPending) {

    public DkimConfig {
        domains = domains.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        e -> e.getKey().toLowerCase(Locale.ROOT), e -> List.copyOf(e.getValue())));
        headers = List.copyOf(headers);
    }

    /**
     * Reads every key file (at load, so that {@code check-config} and {@code serve} stop on a bad one, and
     * again when the server starts).
     *
     * @throws ConfigException naming {@code dkim.domains.DOMAIN} and the key's selector
     */
    public Map<String, List<DkimKey>> loadKeys() {
        Map<String, List<DkimKey>> out = new LinkedHashMap<>();
        domains.forEach((domain, specs) -> {
            List<DkimKey> keys = new ArrayList<>();
            for (DkimKeySpec spec : specs) {
                try {
                    keys.add(DkimKey.load(spec));
                } catch (IllegalArgumentException e) {
                    throw ConfigException.invalid(
                            "dkim.domains." + domain, "key '" + spec.selector() + "': " + e.getMessage());
                }
            }
            out.put(domain, List.copyOf(keys));
        });
        return out;
    }

    /** Whether any key is configured. */
    public boolean enabled() {
        return domains.values().stream().anyMatch(keys -> !keys.isEmpty());
    }
}
