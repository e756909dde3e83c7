package dev.tern.server.config;

import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import java.util.List;

/**
 * Lists and mappings written on one line, as the environment must and a file may: a list is
 * comma-separated ({@code a.example, b.example}); a mapping is {@code name=value} pairs separated by commas,
 * and where its values are lists they are separated by spaces ({@code alice=a@x.example @y.example}).
 */
final class ValueText {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private ValueText() {}

    /** Replaces the text at {@code leaf} in {@code tree} by a list or mapping when the key holds one. */
    static void expand(ObjectNode tree, ConfigKeys.Leaf leaf) {
        List<String> segments = leaf.segments();
        JsonNode node = tree;
        for (String segment : segments.subList(0, segments.size() - 1)) {
            node = node.get(segment);
            if (!(node instanceof ObjectNode)) {
                return;
            }
        }
        String last = segments.getLast();
        if (!(node.get(last) instanceof TextNode text)) {
            return;
        }
        JavaType type = leaf.type();
        if (type.isCollectionLikeType()) {
            ((ObjectNode) node).set(last, list(text.asText(), ","));
        } else if (type.isMapLikeType()) {
            ((ObjectNode) node).set(last, mapping(text.asText(), type.getContentType(), leaf.path()));
        }
    }

    private static ArrayNode list(String text, String separator) {
        ArrayNode out = NODES.arrayNode();
        for (String part : text.split(separator)) {
            if (!part.isBlank()) {
                out.add(part.strip());
            }
        }
        return out;
    }

    private static ObjectNode mapping(String text, JavaType valueType, String key) {
        ObjectNode out = NODES.objectNode();
        for (String pair : text.split(",")) {
            if (pair.isBlank()) {
                continue;
            }
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                throw ConfigException.invalid(
                        key, "must be name=value pairs separated by commas, got '" + pair.strip() + "'");
            }
            String value = pair.substring(eq + 1).strip();
            out.set(
                    pair.substring(0, eq).strip(),
                    valueType.isCollectionLikeType() ? list(value, "\\s+") : TextNode.valueOf(value));
        }
        return out;
    }
}
