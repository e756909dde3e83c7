package dev.tern.relay.tls;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The configured policies: a domain's own entry, else the entry of its nearest parent written with a
 * leading dot ({@code .example.com} covers {@code a.example.com} and {@code b.a.example.com}, not
 * {@code example.com}), as Postfix's smtp_tls_policy_maps. Immutable; names compare without case.
 */
public final class TlsPolicies {
    private final Map<String, TlsPolicy> entries;

    public TlsPolicies(Map<String, TlsPolicy> entries) {
        Map<String, TlsPolicy> out = new HashMap<>();
        entries.forEach((domain, policy) -> out.put(normalize(domain), policy));
        this.entries = Map.copyOf(out);
    }

    public static TlsPolicies none() {
        return new TlsPolicies(Map.of());
    }

    /** The policy configured for {@code domain}, if any. */
    public Optional<TlsPolicy> of(String domain) {
        String name = normalize(domain);
        TlsPolicy exact = entries.get(name);
        if (exact != null) {
            return Optional.of(exact);
        }
        for (int dot = name.indexOf('.'); dot >= 0; dot = name.indexOf('.', dot + 1)) {
            TlsPolicy suffix = entries.get(name.substring(dot));
            if (suffix != null) {
                return Optional.of(suffix);
            }
        }
        return Optional.empty();
    }

    private static String normalize(String domain) {
        String lower = domain.strip().toLowerCase(Locale.ROOT);
        return lower.endsWith(".") && lower.length() > 1 ? lower.substring(0, lower.length() - 1) : lower;
    }
}
