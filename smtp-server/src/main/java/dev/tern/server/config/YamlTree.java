package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * A YAML document as a tree of mappings, lists and text. A number keeps the text it was written as: the
 * parser follows YAML 1.1, which reads {@code 025} as octal 21 and {@code 0x10} as 16, where a {@code TERN_*}
 * variable's value is read as written; kept as text, both go through the same parsers ({@link ConfigValues}),
 * which take plain decimal only. An alias ({@code *name}) is a copy of the list or mapping its anchor
 * ({@code &name}) marks earlier in the document; a merge key ({@code <<}, YAML 1.1 only) is refused.
 */
final class YamlTree {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final Map<String, JsonNode> anchors = new HashMap<>();

    private YamlTree() {}

    /** The document {@code p} reads, or {@code null} when it is empty. */
    static JsonNode read(JsonParser p) throws IOException {
        try (p) {
            if (p.nextToken() == null) {
                return null;
            }
            JsonNode root = new YamlTree().value(p);
            if (p.nextToken() != null) {
                // A second document (after ---) would be read by nobody: say so rather than drop it unseen.
                throw new JsonParseException(p, "a configuration file holds one YAML document; another begins here");
            }
            return root;
        }
    }

    private JsonNode value(JsonParser p) throws IOException {
        if (p instanceof YAMLParser yaml && yaml.isCurrentAlias()) {
            JsonNode anchored = anchors.get(p.getText());
            if (anchored == null) {
                // Also an alias inside what its anchor marks: YAML allows the loop, a configuration cannot hold it.
                // The parser keeps no anchor of a single value, only those of lists and mappings.
                throw new JsonParseException(
                        p,
                        "the alias *" + p.getText() + " follows no list or mapping anchored &" + p.getText()
                                + " (an anchor on a single value is not kept)");
            }
            return anchored.deepCopy();
        }
        Object anchor = p.getObjectId();
        JsonNode node =
                switch (p.currentToken()) {
                    case START_OBJECT -> mapping(p);
                    case START_ARRAY -> list(p);
                    case VALUE_NULL -> NODES.nullNode();
                    case VALUE_TRUE, VALUE_FALSE -> BooleanNode.valueOf(p.currentToken() == JsonToken.VALUE_TRUE);
                    default -> TextNode.valueOf(p.getText());
                };
        if (anchor != null) {
            anchors.put(anchor.toString(), node);
        }
        return node;
    }

    private ObjectNode mapping(JsonParser p) throws IOException {
        ObjectNode out = NODES.objectNode();
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            String name = p.currentName();
            if (name.equals("<<")) {
                throw new JsonParseException(
                        p,
                        "merge keys (<<) are not read: write the keys out, or give an alias (*name) as a whole value");
            }
            p.nextToken();
            out.set(name, value(p));
        }
        return out;
    }

    private ArrayNode list(JsonParser p) throws IOException {
        ArrayNode out = NODES.arrayNode();
        while (p.nextToken() != JsonToken.END_ARRAY) {
            out.add(value(p));
        }
        return out;
    }
}
