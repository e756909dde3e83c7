package dev.tern.server.config;

import java.nio.file.Path;
import java.util.Locale;

/**
 * A smarthost route, written on one line: {@code host[:port] [none|starttls|implicit] [verify]
 * [user=NAME password-file=PATH]}. The port defaults to 25 (587 with starttls, 465 with implicit); the TLS
 * mode to starttls. {@code verify} checks the smarthost's certificate against the JDK trust store.
 */
public record RouteSpec(String host, int port, Tls tls, boolean verify, String username, Path passwordFile) {

    public enum Tls {
        NONE,
        STARTTLS,
        IMPLICIT
    }

    /** Parses a route; the message of the exception says what is wrong (the caller names the key). */
    public static RouteSpec parse(String text) {
        String[] words = text.strip().split("\\s+");
        if (words.length == 0 || words[0].isEmpty()) {
            throw new IllegalArgumentException("must name a host");
        }
        Tls tls = Tls.STARTTLS;
        boolean verify = false;
        String user = null;
        Path passwordFile = null;
        for (int i = 1; i < words.length; i++) {
            String w = words[i];
            String lower = w.toLowerCase(Locale.ROOT);
            switch (lower) {
                case "none", "starttls", "implicit" -> tls = Tls.valueOf(lower.toUpperCase(Locale.ROOT));
                case "verify" -> verify = true;
                default -> {
                    if (lower.startsWith("user=")) {
                        user = w.substring(5);
                    } else if (lower.startsWith("password-file=")) {
                        passwordFile = Path.of(w.substring(14));
                    } else {
                        throw new IllegalArgumentException("unknown route word '" + w + "'");
                    }
                }
            }
        }
        if ((user == null) != (passwordFile == null)) {
            throw new IllegalArgumentException("user= and password-file= go together");
        }
        String hostPort = words[0];
        String host = hostPort;
        int port = tls == Tls.IMPLICIT ? 465 : tls == Tls.STARTTLS && user != null ? 587 : 25;
        int colon = hostPort.lastIndexOf(':');
        if (colon > 0
                && hostPort.indexOf(']') < colon
                && (hostPort.startsWith("[") || hostPort.indexOf(':') == colon)) {
            host = hostPort.substring(0, colon);
            try {
                port = Integer.parseInt(hostPort.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad port in '" + hostPort + "'");
            }
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port must be 1..65535 in '" + hostPort + "'");
            }
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        if (host.isEmpty()) {
            throw new IllegalArgumentException("must name a host");
        }
        return new RouteSpec(host, port, tls, verify, user, passwordFile);
    }
}
