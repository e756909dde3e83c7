package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Loads the configuration once, in chasquid's order: defaults, then the YAML file, then {@code TERN_*}
 * environment overrides, then validation. The environment is a parameter, never read here, so tests
 * inject it and only the command line passes {@code System.getenv()}.
 */
public final class ConfigLoader {
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private ConfigLoader() {}

    /**
     * Loads {@code file} (or nothing when {@code null}) over the defaults, then applies {@code env}.
     *
     * @throws ConfigException naming the offending key, environment variable or file
     */
    public static TernConfig load(Path file, Map<String, String> env) {
        if (file == null) {
            return fromYaml("", env);
        }
        String text;
        try {
            text = Files.readString(file);
        } catch (IOException e) {
            throw ConfigException.general("cannot read config file " + file + ": " + describe(e), e);
        }
        try {
            return fromTree(parse(text), env);
        } catch (JsonProcessingException e) {
            throw ConfigException.general("config file " + file + ": " + e.getOriginalMessage() + location(e), e);
        }
    }

    /** Loads a configuration from YAML text (for tests and embedding), then applies {@code env}. */
    public static TernConfig fromYaml(String yaml, Map<String, String> env) {
        try {
            return fromTree(parse(yaml), env);
        } catch (JsonProcessingException e) {
            throw ConfigException.general("config: " + e.getOriginalMessage() + location(e), e);
        }
    }

    private static ObjectNode parse(String yaml) throws JsonProcessingException {
        JsonNode root = yaml.isBlank() ? null : YAML.readTree(yaml);
        if (root == null || root.isMissingNode() || root.isNull()) {
            return JsonNodeFactory.instance.objectNode();
        }
        if (!root.isObject()) {
            throw ConfigException.invalid("(root)", "must be a mapping of keys");
        }
        return (ObjectNode) root;
    }

    private static TernConfig fromTree(ObjectNode root, Map<String, String> env) {
        TernConfig defaults = ConfigDefaults.defaults(env);
        Map<String, String> fromEnv = applyEnvironment(root, env, defaults);
        TernConfig bound;
        try {
            bound = ConfigBinder.bindRecord(TernConfig.class, root, defaults, "");
            bound = resolveDataPaths(bound);
            ConfigValidator.validate(bound);
        } catch (ConfigException e) {
            String envName = fromEnv.get(e.key().replaceFirst("\\[\\d+]$", ""));
            if (envName == null) {
                throw e;
            }
            throw e.fromEnvironment(envName);
        }
        return bound;
    }

    /**
     * Writes each {@code TERN_*} variable into the tree at its key path, as a string. Returns key path to
     * variable name, so errors can say where a bad value came from.
     */
    private static Map<String, String> applyEnvironment(ObjectNode root, Map<String, String> env, TernConfig defaults) {
        Set<String> listenerNames = new LinkedHashSet<>();
        defaults.listeners().forEach(l -> listenerNames.add(l.name()));
        JsonNode yamlListeners = root.get("listeners");
        if (yamlListeners != null && yamlListeners.isObject()) {
            yamlListeners.fieldNames().forEachRemaining(listenerNames::add);
        }
        Map<String, String> known = ConfigKeys.envNames(listenerNames);
        Map<String, String> applied = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        new TreeMap<>(env).forEach((name, value) -> {
            if (!name.startsWith(ConfigKeys.ENV_PREFIX)) {
                return;
            }
            String path = known.get(name);
            if (path == null) {
                unknown.add(name);
                return;
            }
            put(root, path, value);
            applied.put(path, name);
        });
        if (!unknown.isEmpty()) {
            throw ConfigException.general(
                    "unknown environment variable " + String.join(", ", unknown)
                            + " (see docs/configuration.md for the TERN_* names)",
                    null);
        }
        return applied;
    }

    private static void put(ObjectNode root, String path, String value) {
        String[] parts = path.split("\\.");
        ObjectNode node = root;
        for (int i = 0; i < parts.length - 1; i++) {
            JsonNode child = node.get(parts[i]);
            if (!(child instanceof ObjectNode)) {
                child = node.putObject(parts[i]);
            }
            node = (ObjectNode) child;
        }
        node.set(parts[parts.length - 1], TextNode.valueOf(value));
    }

    /**
     * Paths that default to places under the data directory follow the effective data directory; local
     * domains are lower-cased.
     */
    private static TernConfig resolveDataPaths(TernConfig c) {
        AuthConfig auth = c.auth().usersFile() != null
                ? c.auth()
                : new AuthConfig(c.dataDir().resolve("users"));
        SpoolConfig spool = c.spool().directory() != null
                ? c.spool()
                : new SpoolConfig(
                        c.dataDir().resolve("spool"),
                        c.spool().segmentSize(),
                        c.spool().maxBatch());
        // Domains are case-insensitive (RFC 5321 2.4); one case lets lookups be exact.
        LocalConfig local = new LocalConfig(
                c.local().domains().stream()
                        .map(d -> d.toLowerCase(Locale.ROOT))
                        .toList(),
                c.local().mailboxes(),
                c.local().aliases());
        return new TernConfig(
                c.hostname(),
                c.dataDir(),
                c.listeners(),
                local,
                c.relay(),
                c.limits(),
                c.timeouts(),
                c.tls(),
                auth,
                spool,
                c.delivery(),
                c.dns(),
                c.management(),
                c.shutdownGrace());
    }

    private static String location(JsonProcessingException e) {
        return e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
    }

    private static String describe(IOException e) {
        return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
    }
}
