package dev.tern.server.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * AUTH: where the users file lives (htpasswd-style {@code name:bcrypt-hash} lines; never {@code null} in a
 * loaded configuration: the loader puts it at {@code <data-dir>/users} unless set), and which sender
 * addresses each user owns beyond its own ({@code senders}: user name to addresses, or {@code @domain} for
 * every address of a domain).
 */
public record AuthConfig(Path usersFile, Map<String, List<String>> senders) {
    public AuthConfig {
        senders = senders.entrySet().stream()
                .collect(Collectors.toUnmodifiableMap(
                        e -> e.getKey().toLowerCase(Locale.ROOT), e -> e.getValue().stream()
                                .map(a -> a.toLowerCase(Locale.ROOT))
                                .toList()));
    }
}
