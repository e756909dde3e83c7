package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One listening socket. In YAML and environment names listeners are indexed by {@code name}, which is
 * therefore never a key of its own; the loader guarantees a non-null mode and address and a port in
 * 0..65535 (0 picks a free port, for tests).
 *
 * @param restrictSenders an authenticated client may only use a MAIL FROM address its user owns (on by
 *     default for submission and smtps, see {@link ListenerBinding})
 */
public record ListenerConfig(
        @JsonProperty(access = JsonProperty.Access.WRITE_ONLY) String name,
        ListenerMode mode,
        String address,
        int port,
        boolean restrictSenders) {}
