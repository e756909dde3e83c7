package dev.tern.server.config;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Loads the configuration once, in chasquid's order: the defaults tree ({@code defaults.yaml}), the YAML
 * file merged over it, then {@code TERN_*} environment overrides, then one Jackson binding into the
 * {@link TernConfig} records and the range checks of {@link ConfigValidator}. Every failure becomes a
 * {@link ConfigException} naming its key. The environment is a parameter, never read here, so tests inject
 * it and only the command line passes {@code System.getenv()}.
 */
public final class ConfigLoader {
    /** The one mapper: binding, key names ({@link ConfigKeys}) and printing all use it. */
    static final YAMLMapper MAPPER = YAMLMapper.builder(YAMLFactory.builder()
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                    .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                    .build())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .enable(DeserializationFeature.FAIL_ON_MISSING_CREATOR_PROPERTIES)
            // Records are read through their components only: no helper method becomes a key.
            .disable(MapperFeature.AUTO_DETECT_IS_GETTERS)
            // A key given as ~ is refused, except where "none" is a meaning of its own (paths, a mode to infer).
            .defaultSetterInfo(JsonSetter.Value.construct(Nulls.FAIL, Nulls.FAIL))
            .withConfigOverride(Path.class, o -> o.setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SET)))
            .withConfigOverride(ListenerMode.class, o -> o.setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.SET)))
            .addModule(new ConfigModule())
            .build();

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

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
        return fromTree(parse(text, "config file " + file), env);
    }

    /** Loads a configuration from YAML text (for tests and embedding), then applies {@code env}. */
    public static TernConfig fromYaml(String yaml, Map<String, String> env) {
        return fromTree(parse(yaml, "config"), env);
    }

    /** The configuration as YAML that {@link #fromYaml} reads back to the same tree ({@code tern check-config}). */
    public static String toYaml(TernConfig config) {
        try {
            return MAPPER.writeValueAsString(config);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a configuration always serialises", e);
        }
    }

    private static ObjectNode parse(String yaml, String source) {
        JsonNode root;
        try {
            root = YamlTree.read(MAPPER.createParser(yaml));
        } catch (JsonProcessingException e) {
            throw ConfigException.general(source + ": " + syntaxError(e, yaml), e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string", e);
        }
        if (root == null || root.isNull()) {
            return NODES.objectNode();
        }
        if (!root.isObject()) {
            throw ConfigException.invalid("(root)", "must be a mapping of keys");
        }
        return (ObjectNode) root;
    }

    /**
     * What is wrong with the YAML, on one line, with the line (and column) of the problem itself: the YAML parser's
     * own words span lines, quote the line, and place some problems at the start of their context.
     */
    static String syntaxError(JsonProcessingException e, String yaml) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof MarkedYAMLException marked && marked.getProblemMark() != null) {
                Mark mark = marked.getProblemMark();
                return oneLine(marked.getProblem()) + " (line " + (mark.getLine() + 1) + ", column "
                        + (mark.getColumn() + 1) + ")";
            }
            if (c instanceof ReaderException unreadable) {
                long line = 1
                        + yaml.substring(0, Math.min(unreadable.getPosition(), yaml.length()))
                                .chars()
                                .filter(ch -> ch == '\n')
                                .count();
                return String.format(
                        Locale.ROOT,
                        "the character U+%04X is not allowed in YAML (line %d)",
                        unreadable.getCodePoint(),
                        line);
            }
        }
        String line = e.getLocation() == null ? "" : " (line " + e.getLocation().getLineNr() + ")";
        return oneLine(e.getOriginalMessage()) + line;
    }

    private static String oneLine(String text) {
        return String.valueOf(text).replaceAll("\\s*\\R\\s*", " ").strip();
    }

    private static TernConfig fromTree(ObjectNode file, Map<String, String> env) {
        ObjectNode tree = defaults(env);
        merge(tree, file);
        Set<String> listenerNames = new LinkedHashSet<>();
        if (tree.get("listeners") instanceof ObjectNode listeners) {
            listeners.fieldNames().forEachRemaining(listenerNames::add);
        }
        Set<String> removals = listenersFromEnvironment(tree, env, listenerNames);
        List<ConfigKeys.Leaf> leaves = ConfigKeys.leaves(MAPPER, listenerNames);
        Map<String, String> fromEnv = applyEnvironment(tree, env, leaves, removals);
        try {
            leaves.forEach(leaf -> ValueText.expand(tree, leaf));
            resolveDataPaths(tree);
            TernConfig config = MAPPER.treeToValue(tree, TernConfig.class);
            ConfigValidator.validate(config);
            return config;
        } catch (JsonMappingException e) {
            throw named(translate(e), fromEnv);
        } catch (JsonProcessingException e) {
            throw ConfigException.general("config: " + e.getOriginalMessage(), e);
        } catch (ConfigException e) {
            throw named(e, fromEnv);
        }
    }

    private static ObjectNode defaults(Map<String, String> env) {
        ObjectNode tree;
        try (InputStream in = ConfigLoader.class.getResourceAsStream("defaults.yaml")) {
            tree = (ObjectNode) YamlTree.read(MAPPER.createParser(in));
        } catch (IOException e) {
            throw new UncheckedIOException("the built-in defaults cannot be read", e);
        }
        String hostname = env.getOrDefault("HOSTNAME", "");
        if (!hostname.isBlank()) {
            tree.put("hostname", hostname.strip());
        }
        return tree;
    }

    /** Lays {@code overlay} over {@code base}: mappings merge key by key, anything else replaces. */
    private static void merge(ObjectNode base, ObjectNode overlay) {
        overlay.fields().forEachRemaining(e -> {
            if (base.get(e.getKey()) instanceof ObjectNode b && e.getValue() instanceof ObjectNode o) {
                merge(b, o);
            } else {
                base.set(e.getKey(), e.getValue());
            }
        });
    }

    /**
     * Writes each {@code TERN_*} variable into the tree at its key, as text. Returns key path to variable
     * name, so that errors can say where a bad value came from.
     */
    private static Map<String, String> applyEnvironment(
            ObjectNode tree, Map<String, String> env, List<ConfigKeys.Leaf> leaves, Set<String> consumed) {
        Map<String, ConfigKeys.Leaf> known = new TreeMap<>();
        leaves.forEach(leaf -> known.put(ConfigKeys.envName(leaf.path()), leaf));
        Map<String, String> applied = new TreeMap<>();
        List<String> unknown = new ArrayList<>();
        new TreeMap<>(env).forEach((name, value) -> {
            if (!name.startsWith(ConfigKeys.ENV_PREFIX) || consumed.contains(name)) {
                return;
            }
            ConfigKeys.Leaf leaf = known.get(name);
            if (leaf == null) {
                unknown.add(name);
                return;
            }
            ObjectNode node = tree;
            List<String> segments = leaf.segments();
            for (String segment : segments.subList(0, segments.size() - 1)) {
                node = node.get(segment) instanceof ObjectNode child ? child : node.putObject(segment);
            }
            node.set(segments.getLast(), TextNode.valueOf(value));
            applied.put(leaf.path(), name);
        });
        if (!unknown.isEmpty()) {
            throw ConfigException.general(
                    "unknown environment variable " + String.join(", ", unknown)
                            + " (see docs/configuration.md for the TERN_* names)",
                    null);
        }
        return applied;
    }

    /**
     * The listeners the environment adds or removes, as a file does: {@code TERN_LISTENERS_NAME_PORT} (or any
     * other key of a listener) for a name not defined yet adds that listener, its name in lower case with
     * {@code -} for {@code _}; {@code TERN_LISTENERS_NAME=~} (or empty) removes one, as {@code NAME: ~} does.
     * Updates {@code names}; returns the variables that removed a listener, which name no key.
     */
    private static Set<String> listenersFromEnvironment(ObjectNode tree, Map<String, String> env, Set<String> names) {
        String prefix = ConfigKeys.ENV_PREFIX + "LISTENERS_";
        String probe = "NAME";
        // A listener's keys as the end of a variable's name, the longest first (_PROXY_PROTOCOL_FROM before _FROM).
        List<String> fields = ConfigKeys.leaves(MAPPER, Set.of(probe.toLowerCase(Locale.ROOT))).stream()
                .map(leaf -> ConfigKeys.envName(leaf.path()))
                .filter(n -> n.startsWith(prefix + probe + "_"))
                .map(n -> n.substring((prefix + probe).length()))
                .sorted(java.util.Comparator.comparingInt(String::length).reversed())
                .toList();
        Set<String> removals = new java.util.HashSet<>();
        if (!(tree.get("listeners") instanceof ObjectNode listeners)) {
            // Not a mapping (a list, a value): the binding says so, naming the key.
            return removals;
        }
        new TreeMap<>(env).forEach((variable, value) -> {
            if (!variable.startsWith(prefix) || variable.length() == prefix.length()) {
                return;
            }
            String rest = variable.substring(prefix.length());
            String field = fields.stream()
                    .filter(f -> rest.endsWith(f) && rest.length() > f.length())
                    .findFirst()
                    .orElse(null);
            if (field == null) {
                String v = value.strip();
                String name = listenerName(rest, names);
                if (names.contains(name) && (v.equals("~") || v.isEmpty() || v.equals("null"))) {
                    listeners.putNull(name);
                    removals.add(variable);
                }
                return; // any other value is an unknown variable, reported with the rest
            }
            String name = listenerName(rest.substring(0, rest.length() - field.length()), names);
            if (names.add(name)) {
                listeners.putObject(name);
            }
        });
        return removals;
    }

    /** The listener {@code envPart} (a variable's part between LISTENERS_ and the key) names. */
    private static String listenerName(String envPart, Set<String> names) {
        for (String name : names) {
            if (ConfigKeys.envName(name).equals(ConfigKeys.ENV_PREFIX + envPart)) {
                return name;
            }
        }
        return envPart.toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The users file, the spool and the admin token file default to places under the effective data directory. */
    private static void resolveDataPaths(ObjectNode tree) {
        if (!(tree.get("data-dir") instanceof TextNode dataDir)) {
            return;
        }
        underDataDir(tree, dataDir.asText(), "auth", "users-file", "users");
        underDataDir(tree, dataDir.asText(), "spool", "directory", "spool");
        underDataDir(tree, dataDir.asText(), "management", "admin-token-file", "admin-token");
    }

    private static void underDataDir(ObjectNode tree, String dataDir, String section, String key, String name) {
        if (tree.get(section) instanceof ObjectNode s
                && (s.get(key) == null || s.get(key).isNull())) {
            try {
                s.put(key, Path.of(dataDir.strip()).resolve(name).toString());
            } catch (InvalidPathException e) {
                // data-dir itself is reported by the binding.
            }
        }
    }

    /** Jackson's error, with its path, as "key 'a.b[1]' ..." in the words of the configuration. */
    static ConfigException translate(JsonMappingException e) {
        String key = keyPath(e.getPath());
        if (e instanceof UnrecognizedPropertyException) {
            return ConfigException.unknown(key);
        }
        if (e instanceof InvalidNullException) {
            return ConfigException.invalid(key, "must have a value");
        }
        if (e instanceof ConfigValueException) {
            return ConfigException.invalid(key, e.getOriginalMessage());
        }
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof IllegalArgumentException || t instanceof NullPointerException) {
                return ConfigException.invalid(key, String.valueOf(t.getMessage()));
            }
        }
        if (e instanceof MismatchedInputException m && m.getTargetType() != null) {
            boolean list = Collection.class.isAssignableFrom(m.getTargetType());
            return ConfigException.invalid(key, list ? "must be a list" : "must be a mapping of keys");
        }
        return ConfigException.invalid(key, e.getOriginalMessage());
    }

    private static String keyPath(List<JsonMappingException.Reference> path) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : path) {
            if (ref.getFieldName() != null) {
                sb.append(sb.isEmpty() ? "" : ".").append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.isEmpty() ? "(root)" : sb.toString();
    }

    /** The same error, naming the variable that supplied the value when one did. */
    private static ConfigException named(ConfigException e, Map<String, String> fromEnv) {
        String variable = null;
        int longest = -1;
        for (Map.Entry<String, String> entry : fromEnv.entrySet()) {
            String path = entry.getKey();
            boolean covers = e.key().equals(path)
                    || e.key().startsWith(path + ".")
                    || e.key().startsWith(path + "[");
            if (covers && path.length() > longest) {
                variable = entry.getValue();
                longest = path.length();
            }
        }
        return variable == null ? e : e.fromEnvironment(variable);
    }

    /** Why a file could not be read, in words (the file's name is given by the caller). */
    public static String describe(IOException e) {
        return switch (e) {
            case java.nio.file.NoSuchFileException missing -> "no such file";
            case java.nio.file.AccessDeniedException denied -> "permission denied";
            case java.nio.charset.CharacterCodingException coding -> "it is not UTF-8 text";
            default -> {
                String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                yield message.equals("Is a directory") ? "it is a directory" : message;
            }
        };
    }
}
