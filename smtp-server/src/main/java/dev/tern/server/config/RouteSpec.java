package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * A smarthost route, written on one line: {@code host[:port] [none|starttls|implicit] [verify]
 * [user=NAME password-file=PATH]}. The port defaults to 25 (587 with starttls and a user, 465 with
 * implicit); the TLS mode to starttls. {@code verify} checks the smarthost's certificate against the JDK
 * trust store. A route with a user needs TLS: {@code none} with {@code user=} is refused.
 */
public record RouteSpec(String host, int port, Tls tls, boolean verify, String username, Path passwordFile) {

    public enum Tls {
        NONE,
        STARTTLS,
        IMPLICIT
    }

    /** Parses a route; the message of the exception says what is wrong (the caller names the key). */
    @JsonCreator
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
        if (user != null && tls == Tls.NONE) {
            // The password would cross the network in clear (RFC 4954 14): as Postfix's default
            // smtp_sasl_security_options = noplaintext, no AUTH without TLS.
            throw new IllegalArgumentException(
                    "user= needs TLS (starttls or implicit): with none the password would be sent in clear");
        }
        int defaultPort = tls == Tls.IMPLICIT ? 465 : tls == Tls.STARTTLS && user != null ? 587 : 25;
        HostPort hp = HostPort.parse(words[0], defaultPort);
        return new RouteSpec(hp.host(), hp.port(), tls, verify, user, passwordFile);
    }

    /**
     * The password: the first line of the password file, or null for a route without AUTH. Read when the
     * configuration is validated, so a missing or unreadable file stops {@code check-config} and {@code serve}
     * naming the route's key, and again when delivery starts.
     *
     * @throws ConfigException naming {@code delivery.routes.DOMAIN} when the file cannot be read
     */
    public String password(String domain) {
        if (passwordFile == null) {
            return null;
        }
        try {
            List<String> lines = Files.readAllLines(passwordFile, StandardCharsets.UTF_8);
            return lines.isEmpty() ? "" : lines.get(0);
        } catch (IOException | UncheckedIOException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            throw ConfigException.invalid(
                    "delivery.routes." + domain,
                    "password-file " + passwordFile + " cannot be read: " + ConfigLoader.describe(cause));
        }
    }

    /** The route on one line, in the syntax {@link #parse} reads. */
    @JsonValue
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(new HostPort(host, port).toString())
                .append(' ')
                .append(tls.name().toLowerCase(Locale.ROOT));
        if (verify) {
            sb.append(" verify");
        }
        if (username != null) {
            sb.append(" user=").append(username).append(" password-file=").append(passwordFile);
        }
        return sb.toString();
    }
}
