package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Listeners are written as a mapping from name to listener ({@code listeners: {mx: {port: 25}}}) but held
 * as a list of {@link ListenerConfig} that carry their name. A listener set to {@code ~} is removed; a new
 * name starts from {@link #template}; {@code restrict-senders} follows the mode unless given.
 */
final class ListenerBinding {
    private ListenerBinding() {}

    /**
     * What a listener is before its own keys are laid over it: bound to loopback, its mode the name when
     * the name is a mode, and no PROXY protocol. It has no port: every listener is given one.
     */
    static ObjectNode template(String name) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        ListenerMode mode = ListenerMode.named(name);
        if (mode == null) {
            node.putNull("mode");
        } else {
            node.put("mode", mode.key());
        }
        node.put("address", "127.0.0.1");
        node.putArray("proxy-protocol-from");
        return node;
    }

    static final class Deserializer extends StdDeserializer<List<ListenerConfig>> {
        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(List.class);
        }

        @Override
        public List<ListenerConfig> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonNode tree = ctxt.readTree(p);
            if (!tree.isObject()) {
                throw new ConfigValueException(p, "must be a mapping from listener name to listener");
            }
            List<ListenerConfig> out = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = tree.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String name = e.getKey();
                if (e.getValue().isNull()) {
                    continue;
                }
                try {
                    out.add(listener(p, ctxt, name, e.getValue()));
                } catch (JsonMappingException failure) {
                    failure.prependPath(tree, name);
                    throw failure;
                }
            }
            return List.copyOf(out);
        }

        private static ListenerConfig listener(JsonParser p, DeserializationContext ctxt, String name, JsonNode node)
                throws IOException {
            if (!node.isObject()) {
                throw new ConfigValueException(p, "must be a mapping of keys");
            }
            if (node.has("name")) {
                throw UnrecognizedPropertyException.from(p, ListenerConfig.class, "name", List.of());
            }
            if (!node.has("port")) {
                ConfigValueException missing = new ConfigValueException(p, "is required");
                missing.prependPath(node, "port");
                throw missing;
            }
            ObjectNode full = template(name);
            full.setAll((ObjectNode) node);
            full.put("name", name);
            if (!full.has("restrict-senders")) {
                // A site's own users send as themselves (RFC 6409 6.1), on whichever listener they log in: an mx
                // listener offers AUTH after STARTTLS too, and the check concerns authenticated sessions only.
                full.put("restrict-senders", true);
            }
            return ctxt.readTreeAsValue(full, ListenerConfig.class);
        }
    }

    static final class Serializer extends StdSerializer<List<ListenerConfig>> {
        private static final long serialVersionUID = 1L;

        @SuppressWarnings({"unchecked", "rawtypes"})
        Serializer() {
            super((Class) List.class);
        }

        @Override
        public void serialize(List<ListenerConfig> listeners, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeStartObject();
            for (ListenerConfig listener : listeners) {
                gen.writeFieldName(listener.name());
                provider.defaultSerializeValue(listener, gen);
            }
            gen.writeEndObject();
        }
    }
}
