package dev.tern.server.config;

/** A configuration that cannot be used; the message names the offending key path. */
public final class ConfigException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String key;
    private final String detail;

    private ConfigException(String key, String detail, String message, Throwable cause) {
        super(message, cause);
        this.key = key;
        this.detail = detail;
    }

    /** A value that is present but wrong: {@code key 'limits.max-errors' must be at least 1 (got 0)}. */
    public static ConfigException invalid(String key, String detail) {
        return new ConfigException(key, detail, "key '" + key + "' " + detail, null);
    }

    /** A key that Tern does not know, usually a typo. */
    public static ConfigException unknown(String key) {
        return new ConfigException(key, "is unknown", "unknown key '" + key + "'", null);
    }

    /** A failure not tied to one key, such as an unreadable file. */
    public static ConfigException general(String message, Throwable cause) {
        return new ConfigException("", message, message, cause);
    }

    /** The same error, saying which environment variable supplied the bad value. */
    ConfigException fromEnvironment(String variable) {
        return new ConfigException(key, detail, getMessage() + " (from " + variable + ")", getCause());
    }

    /** The key path, such as {@code limits.max-recipients}; empty when the error is not about one key. */
    public String key() {
        return key;
    }
}
