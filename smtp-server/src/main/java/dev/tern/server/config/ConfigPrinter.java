package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Prints an effective configuration as YAML that {@link ConfigLoader} reads back to the same tree, for
 * {@code tern check-config}. The configuration holds no secrets (the users file and key file are paths).
 */
public final class ConfigPrinter {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES));
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ConfigPrinter() {}

    /** The configuration as YAML, keys in record order. */
    public static String toYaml(TernConfig config) {
        try {
            return YAML.writeValueAsString(record(config));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings always serialises", e);
        }
    }

    private static ObjectNode record(Record value) {
        ObjectNode out = NODES.objectNode();
        for (RecordComponent c : ConfigKeys.keyComponents(value.getClass())) {
            Object v = read(c, value);
            if (ConfigKeys.isListenerList(c.getGenericType())) {
                ObjectNode listeners = out.putObject(ConfigKeys.kebab(c.getName()));
                for (Object l : (List<?>) v) {
                    listeners.set(((ListenerConfig) l).name(), record((ListenerConfig) l));
                }
            } else {
                out.set(ConfigKeys.kebab(c.getName()), value(v));
            }
        }
        return out;
    }

    private static JsonNode value(Object v) {
        return switch (v) {
            case null -> NODES.nullNode();
            case Cidr cidr -> NODES.textNode(cidr.toString());
            case Record r -> record(r);
            case Collection<?> items -> {
                var array = NODES.arrayNode();
                items.forEach(i -> array.add(value(i)));
                yield array;
            }
            case Map<?, ?> map -> {
                ObjectNode object = NODES.objectNode();
                map.forEach((k, mv) -> object.set(String.valueOf(k), value(mv)));
                yield object;
            }
            case Long size -> NODES.textNode(ConfigValues.formatSize(size));
            case Integer i -> NODES.numberNode(i);
            case Boolean b -> NODES.booleanNode(b);
            case Duration d -> NODES.textNode(ConfigValues.formatDuration(d));
            case ListenerMode mode -> NODES.textNode(mode.key());
            case Path path -> NODES.textNode(path.toString());
            default -> NODES.textNode(v.toString());
        };
    }

    private static Object read(RecordComponent component, Record from) {
        try {
            return component.getAccessor().invoke(from);
        } catch (IllegalAccessException | InvocationTargetException e) {
            throw new IllegalStateException("cannot read " + component, e);
        }
    }
}
