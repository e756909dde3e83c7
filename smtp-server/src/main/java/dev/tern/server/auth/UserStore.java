package dev.tern.server.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * An immutable snapshot of the users file: htpasswd-style {@code name:hash} lines with bcrypt hashes
 * ({@code $2y$}, {@code $2b$}, {@code $2a$}; what {@code htpasswd -B} writes), {@code #} comments and blank
 * lines. Checking a password is slow on purpose (bcrypt); callers run {@link #verify} off the event loop.
 */
public final class UserStore {
    /** Cost of hashes Tern writes: 2^10 rounds, htpasswd's default for {@code -B}. */
    public static final int COST = 10;

    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    /**
     * Checked for unknown users so that they take as long as a wrong password: a cost-10 hash of a random
     * password that was thrown away.
     */
    private static final String DUMMY_HASH = "$2y$10$sCYXDMZgk9c8lLukz41mMOTzJzon74PZcQEzQpkpzjowaDhuR6t8e";

    private final Map<String, String> hashes;

    private UserStore(Map<String, String> hashes) {
        this.hashes = Map.copyOf(hashes);
    }

    /** A store with nobody in it. */
    public static UserStore empty() {
        return new UserStore(Map.of());
    }

    /** Reads {@code file}; a missing file is an empty store (nobody can authenticate yet). */
    public static UserStore load(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return empty();
        } catch (IOException e) {
            throw new UserFileException("cannot read users file " + file + ": " + e, e);
        }
        return parse(file.toString(), lines);
    }

    /** Parses users-file lines; {@code source} names the file in errors. */
    public static UserStore parse(String source, List<String> lines) {
        Map<String, String> hashes = new LinkedHashMap<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            String where = source + " line " + (i + 1);
            int colon = line.indexOf(':');
            if (colon < 0) {
                throw new UserFileException(where + ": expected name:hash");
            }
            String name = line.substring(0, colon);
            String hash = line.substring(colon + 1);
            String problem = nameProblem(name);
            if (problem != null) {
                throw new UserFileException(where + ": " + problem);
            }
            if (!BCRYPT.matcher(hash).matches()) {
                throw new UserFileException(
                        where + ": the hash for '" + name + "' is not bcrypt ($2y$, $2b$ or $2a$; use htpasswd -B)");
            }
            if (hashes.putIfAbsent(name, hash) != null) {
                throw new UserFileException(where + ": user '" + name + "' appears twice");
            }
        }
        return new UserStore(hashes);
    }

    /**
     * Whether {@code password} is {@code name}'s. Unknown names are checked against a dummy hash so the
     * answer takes the same time and says nothing about which users exist. Blocks for tens of milliseconds.
     */
    public boolean verify(String name, String password) {
        String hash = hashes.get(name);
        boolean known = hash != null;
        boolean matches;
        try {
            matches = OpenBSDBCrypt.checkPassword(known ? hash : DUMMY_HASH, password.toCharArray());
        } catch (IllegalArgumentException e) {
            // Passwords past bcrypt's 72-byte input cannot match a hash Tern or htpasswd wrote.
            matches = false;
        }
        return known && matches;
    }

    public boolean contains(String name) {
        return hashes.containsKey(name);
    }

    public int size() {
        return hashes.size();
    }

    /**
     * Why {@code name} cannot be a user name, or {@code null} if it can: it must be non-empty and have no
     * colon (the file's separator), whitespace or control characters (SASL names travel in base64, but
     * logs and the file are line-based).
     */
    public static String nameProblem(String name) {
        if (name.isEmpty()) {
            return "the user name is empty";
        }
        if (name.length() > 255) {
            return "the user name is longer than 255 characters";
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == ':' || Character.isWhitespace(c) || Character.isISOControl(c)) {
                return "the user name '" + name.replaceAll("\\p{Cntrl}", "?")
                        + "' contains a colon, whitespace or a control character";
            }
        }
        return null;
    }

    /** A {@code $2y$10$} bcrypt hash of {@code password}, as {@code htpasswd -B} writes. */
    public static String newHash(char[] password) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        return OpenBSDBCrypt.generate("2y", password, salt, COST);
    }
}
