package dev.tern.server.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * Lays a YAML tree over a record of defaults: keys present in the tree replace the default value, absent
 * keys keep it, unknown keys are errors. Every error names its key path. Scalars may be given as strings
 * (which is what the environment supplies); a list may be a comma-separated string and a map a string of
 * {@code key=value} pairs separated by commas.
 */
final class ConfigBinder {
    private ConfigBinder() {}

    static <R extends Record> R bindRecord(Class<R> type, JsonNode node, R defaults, String path) {
        if (!node.isObject()) {
            throw ConfigException.invalid(path, "must be a mapping of keys");
        }
        Set<String> keys = ConfigKeys.keyComponents(type).stream()
                .map(c -> ConfigKeys.kebab(c.getName()))
                .collect(Collectors.toSet());
        for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!keys.contains(name)) {
                throw ConfigException.unknown(join(path, name));
            }
        }
        RecordComponent[] components = type.getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            Object fallback = read(c, defaults);
            JsonNode child =
                    keys.contains(ConfigKeys.kebab(c.getName())) ? node.get(ConfigKeys.kebab(c.getName())) : null;
            args[i] = child == null
                    ? fallback
                    : bindValue(c.getGenericType(), child, fallback, join(path, ConfigKeys.kebab(c.getName())));
        }
        return construct(type, types, args, path);
    }

    private static Object bindValue(Type type, JsonNode node, Object fallback, String key) {
        if (ConfigKeys.isListenerList(type)) {
            @SuppressWarnings("unchecked")
            List<ListenerConfig> base = (List<ListenerConfig>) fallback;
            return bindListeners(node, base, key);
        }
        if (node.isNull()) {
            if (type == Path.class) {
                return null;
            }
            throw ConfigException.invalid(key, "must have a value");
        }
        if (type instanceof ParameterizedType p && p.getRawType() == List.class) {
            return bindList(p.getActualTypeArguments()[0], node, key);
        }
        if (type instanceof ParameterizedType p && p.getRawType() == Map.class) {
            return bindMap(node, key);
        }
        if (type instanceof Class<?> c && c.isRecord() && c != Cidr.class) {
            return bindNested(c.asSubclass(Record.class), node, fallback, key);
        }
        return bindScalar(type, node, key);
    }

    private static <R extends Record> R bindNested(Class<R> type, JsonNode node, Object fallback, String key) {
        return bindRecord(type, node, type.cast(fallback), key);
    }

    private static Object bindScalar(Type type, JsonNode node, String key) {
        if (!node.isValueNode()) {
            throw ConfigException.invalid(
                    key, "must be a single value, not a " + (node.isArray() ? "list" : "mapping"));
        }
        String text = node.asText().strip();
        try {
            if (type == String.class) {
                return text;
            } else if (type == Path.class) {
                return Path.of(text);
            } else if (type == int.class) {
                return node.isIntegralNumber() && node.canConvertToInt() ? node.intValue() : Integer.parseInt(text);
            } else if (type == long.class) {
                return node.isIntegralNumber() && node.canConvertToLong()
                        ? node.longValue()
                        : ConfigValues.parseSize(text);
            } else if (type == boolean.class) {
                return switch (text.toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
                };
            } else if (type == Duration.class) {
                return ConfigValues.parseDuration(text);
            } else if (type == ListenerMode.class) {
                return ListenerMode.valueOf(text.toUpperCase(Locale.ROOT));
            } else if (type == Cidr.class) {
                return Cidr.parse(text);
            }
        } catch (NumberFormatException e) {
            throw ConfigException.invalid(key, "must be an integer, got '" + text + "'");
        } catch (InvalidPathException e) {
            throw ConfigException.invalid(key, "is not a valid path: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            String detail = type == ListenerMode.class
                    ? "must be one of mx, submission, smtps, got '" + text + "'"
                    : e.getMessage();
            throw ConfigException.invalid(key, detail);
        }
        throw new IllegalStateException("no binding for " + type + " at " + key);
    }

    private static List<Object> bindList(Type element, JsonNode node, String key) {
        List<JsonNode> items = new ArrayList<>();
        if (node.isArray()) {
            node.forEach(items::add);
        } else if (node.isValueNode()) {
            for (String part : node.asText().split(",")) {
                if (!part.isBlank()) {
                    items.add(TextNode.valueOf(part.strip()));
                }
            }
        } else {
            throw ConfigException.invalid(key, "must be a list");
        }
        List<Object> out = new ArrayList<>(items.size());
        for (int i = 0; i < items.size(); i++) {
            out.add(bindScalar(element, items.get(i), key + "[" + i + "]"));
        }
        return out;
    }

    private static Map<String, String> bindMap(JsonNode node, String key) {
        Map<String, String> out = new LinkedHashMap<>();
        if (node.isObject()) {
            node.fields()
                    .forEachRemaining(e -> out.put(
                            e.getKey(), (String) bindScalar(String.class, e.getValue(), join(key, e.getKey()))));
        } else if (node.isValueNode()) {
            for (String pair : node.asText().split(",")) {
                if (pair.isBlank()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw ConfigException.invalid(
                            key, "must be name=value pairs separated by commas, got '" + pair.strip() + "'");
                }
                out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
            }
        } else {
            throw ConfigException.invalid(key, "must be a mapping");
        }
        return out;
    }

    /** Listeners are a mapping by name merged over the defaults; {@code name: ~} removes one. */
    private static List<ListenerConfig> bindListeners(JsonNode node, List<ListenerConfig> base, String key) {
        if (!node.isObject()) {
            throw ConfigException.invalid(key, "must be a mapping from listener name to listener");
        }
        Map<String, ListenerConfig> byName = new LinkedHashMap<>();
        base.forEach(l -> byName.put(l.name(), l));
        node.fields().forEachRemaining(e -> {
            String name = e.getKey();
            if (e.getValue().isNull()) {
                byName.remove(name);
                return;
            }
            ListenerConfig start = byName.getOrDefault(name, template(name));
            byName.put(name, bindRecord(ListenerConfig.class, e.getValue(), start, join(key, name)));
        });
        return List.copyOf(byName.values());
    }

    /** A new listener: its mode defaults to its name when the name is a mode; port -1 means "not given". */
    private static ListenerConfig template(String name) {
        ListenerMode mode = null;
        for (ListenerMode m : ListenerMode.values()) {
            if (m.key().equals(name)) {
                mode = m;
            }
        }
        return new ListenerConfig(name, mode, "127.0.0.1", -1);
    }

    private static Object read(RecordComponent component, Record from) {
        try {
            return component.getAccessor().invoke(from);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }

    private static <R> R construct(Class<R> type, Class<?>[] types, Object[] args, String path) {
        try {
            Constructor<R> constructor = type.getDeclaredConstructor(types);
            return constructor.newInstance(args);
        } catch (InvocationTargetException e) {
            throw ConfigException.invalid(
                    path.isEmpty() ? "(root)" : path,
                    String.valueOf(e.getCause().getMessage()));
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type, e);
        }
    }

    static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }
}
