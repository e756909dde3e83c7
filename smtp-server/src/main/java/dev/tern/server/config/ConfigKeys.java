package dev.tern.server.config;

import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.introspect.BeanPropertyDefinition;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The key tree as Jackson sees the records, so that YAML keys, environment names and the documentation
 * cannot drift from them: {@code maxMessageSize} in {@link LimitsConfig} is {@code limits.max-message-size}
 * and {@code TERN_LIMITS_MAX_MESSAGE_SIZE}.
 */
final class ConfigKeys {
    static final String ENV_PREFIX = "TERN_";

    private ConfigKeys() {}

    /** A key that holds a value (not a section): its path segments and the type it binds to. */
    record Leaf(List<String> segments, JavaType type) {
        String path() {
            return String.join(".", segments);
        }
    }

    /** Every leaf key; listener keys once for each name in {@code listenerNames}. */
    static List<Leaf> leaves(ObjectMapper mapper, Set<String> listenerNames) {
        List<Leaf> out = new ArrayList<>();
        collect(mapper, mapper.constructType(TernConfig.class), List.of(), listenerNames, out);
        return out;
    }

    /** Every leaf key path, by its environment name. */
    static Map<String, String> envNames(Set<String> listenerNames) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Leaf leaf : leaves(ConfigLoader.MAPPER, listenerNames)) {
            out.put(envName(leaf.path()), leaf.path());
        }
        return out;
    }

    /** {@code limits.max-message-size} to {@code TERN_LIMITS_MAX_MESSAGE_SIZE}. */
    static String envName(String keyPath) {
        return ENV_PREFIX + keyPath.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    private static void collect(
            ObjectMapper mapper, JavaType type, List<String> prefix, Set<String> listenerNames, List<Leaf> out) {
        BeanDescription description = mapper.getSerializationConfig().introspect(type);
        for (BeanPropertyDefinition property : description.findProperties()) {
            if (!property.couldSerialize()) {
                // A listener's name is its index, not a key.
                continue;
            }
            List<String> path = append(prefix, property.getName());
            JavaType t = property.getPrimaryType();
            if (isListenerList(t)) {
                for (String name : listenerNames) {
                    collect(mapper, t.getContentType(), append(path, name), listenerNames, out);
                }
            } else if (isSection(mapper, t)) {
                collect(mapper, t, path, listenerNames, out);
            } else {
                out.add(new Leaf(path, t));
            }
        }
    }

    /** A record written as a mapping of keys (not a value such as {@link Cidr}, which is written as text). */
    static boolean isSection(ObjectMapper mapper, JavaType type) {
        return type.getRawClass().isRecord()
                && mapper.getSerializationConfig().introspect(type).findJsonValueAccessor() == null;
    }

    static boolean isListenerList(JavaType type) {
        return type.isCollectionLikeType() && type.getContentType().getRawClass() == ListenerConfig.class;
    }

    private static List<String> append(List<String> prefix, String name) {
        List<String> out = new ArrayList<>(prefix);
        out.add(name);
        return List.copyOf(out);
    }
}
