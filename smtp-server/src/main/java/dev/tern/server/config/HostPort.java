package dev.tern.server.config;

import java.util.Objects;

/**
 * A host and a port as written in configuration: {@code host}, {@code host:port}, {@code [v6-literal]},
 * {@code [v6-literal]:port}, or a bare IPv6 literal (which cannot carry a port). The one parser for such
 * text: routes and resolver addresses both use it.
 */
public record HostPort(String host, int port) {
    public HostPort {
        Objects.requireNonNull(host, "host");
        if (host.isEmpty()) {
            throw new IllegalArgumentException("must name a host");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535, got " + port);
        }
    }

    /**
     * Parses {@code text}; {@code defaultPort} applies when it names none.
     *
     * @throws IllegalArgumentException saying what is wrong
     */
    public static HostPort parse(String text, int defaultPort) {
        String s = text.strip();
        String host = s;
        int port = defaultPort;
        if (s.startsWith("[")) {
            int close = s.indexOf(']');
            if (close < 0) {
                throw new IllegalArgumentException("no closing ']' in '" + s + "'");
            }
            host = s.substring(1, close);
            String rest = s.substring(close + 1);
            if (!rest.isEmpty()) {
                if (!rest.startsWith(":")) {
                    throw new IllegalArgumentException("expected ':port' after ']' in '" + s + "'");
                }
                port = port(rest.substring(1), s);
            }
        } else if (s.indexOf(':') >= 0 && s.indexOf(':') == s.lastIndexOf(':')) {
            // One colon: host:port. More than one: a bare IPv6 literal without a port.
            int colon = s.indexOf(':');
            host = s.substring(0, colon);
            port = port(s.substring(colon + 1), s);
        }
        return new HostPort(host, port);
    }

    private static int port(String digits, String whole) {
        if (digits.isEmpty() || digits.length() > 5 || !digits.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("bad port in '" + whole + "'");
        }
        int port = Integer.parseInt(digits);
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port must be 1..65535 in '" + whole + "'");
        }
        return port;
    }

    /** {@code host:port}, with an IPv6 literal in brackets, which {@link #parse} reads back. */
    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
