package dev.tern.server.config;

import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Key names derived from the record tree, so that YAML keys, environment names and the documentation
 * cannot drift from the records: {@code maxMessageSize} is {@code max-message-size} in YAML and
 * {@code TERN_LIMITS_MAX_MESSAGE_SIZE} in the environment.
 */
final class ConfigKeys {
    static final String ENV_PREFIX = "TERN_";

    private ConfigKeys() {}

    /** {@code maxConnectionsPerIp} to {@code max-connections-per-ip}. */
    static String kebab(String camel) {
        StringBuilder out = new StringBuilder(camel.length() + 4);
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                out.append('-').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }

    /** {@code limits.max-message-size} to {@code TERN_LIMITS_MAX_MESSAGE_SIZE}. */
    static String envName(String keyPath) {
        return ENV_PREFIX + keyPath.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** Whether this component is the listener list, which YAML and the environment index by name. */
    static boolean isListenerList(Type type) {
        return type instanceof ParameterizedType p
                && p.getRawType() == List.class
                && p.getActualTypeArguments()[0] == ListenerConfig.class;
    }

    /** Components of {@code type} that are keys; a listener's name is its index, not a key. */
    static List<RecordComponent> keyComponents(Class<?> type) {
        return List.of(type.getRecordComponents()).stream()
                .filter(c -> !(type == ListenerConfig.class && c.getName().equals("name")))
                .toList();
    }

    /**
     * Every leaf key path, mapped from its environment name. Listener keys are listed for each name in
     * {@code listenerNames}.
     */
    static Map<String, String> envNames(Set<String> listenerNames) {
        Map<String, String> out = new LinkedHashMap<>();
        collect(TernConfig.class, "", listenerNames, out);
        return out;
    }

    private static void collect(Class<?> type, String prefix, Set<String> listenerNames, Map<String, String> out) {
        for (RecordComponent c : keyComponents(type)) {
            String path = prefix + kebab(c.getName());
            if (isListenerList(c.getGenericType())) {
                for (String name : listenerNames) {
                    collect(ListenerConfig.class, path + "." + name + ".", listenerNames, out);
                }
            } else if (c.getType().isRecord() && c.getType() != Cidr.class) {
                collect(c.getType(), path + ".", listenerNames, out);
            } else {
                out.put(envName(path), path);
            }
        }
    }
}
