package dev.tern.server.config;

/**
 * One listening socket. In YAML and environment names listeners are indexed by {@code name}; the loader
 * guarantees a non-null mode and address and a port in 0..65535 (0 picks a free port, for tests).
 */
public record ListenerConfig(String name, ListenerMode mode, String address, int port) {}
