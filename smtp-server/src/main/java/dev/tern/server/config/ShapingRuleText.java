package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.tern.relay.queue.DestinationRule;
import dev.tern.relay.queue.MessageRate;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A {@code delivery.shaping.destinations} entry, written as a mapping ({@code {match: .example.com,
 * max-rate: 100/s, max-concurrency: 4, initial-concurrency: 1}}) or on one line, as the environment must
 * ({@code .example.com max-rate=100/s max-concurrency=4}). Only {@code match} is required.
 */
final class ShapingRuleText {
    private static final String MATCH = "match";

    private ShapingRuleText() {}

    /** Parses the one-line form; the message of the exception says what is wrong. */
    static DestinationRule parse(String text) {
        String[] words = text.strip().split("\\s+");
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put(MATCH, words[0]);
        for (int i = 1; i < words.length; i++) {
            int eq = words[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("expected name=value after the match, got '" + words[i] + "'");
            }
            fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
        }
        return rule(fields);
    }

    /** The one-line form of {@code rule}, which {@link #parse} reads back. */
    static String format(DestinationRule rule) {
        StringBuilder b = new StringBuilder(rule.match());
        if (rule.maxRate() != null) {
            b.append(" max-rate=").append(rule.maxRate());
        }
        if (rule.maxConcurrency() > 0) {
            b.append(" max-concurrency=").append(rule.maxConcurrency());
        }
        if (rule.initialConcurrency() > 0) {
            b.append(" initial-concurrency=").append(rule.initialConcurrency());
        }
        return b.toString();
    }

    private static DestinationRule rule(Map<String, String> fields) {
        String match = fields.get(MATCH);
        if (match == null || match.isBlank()) {
            throw new IllegalArgumentException("an entry needs a match (example.com, *.example.com, .example.com)");
        }
        MessageRate rate = null;
        int maxConcurrency = 0;
        int initial = 0;
        for (Map.Entry<String, String> f : fields.entrySet()) {
            switch (f.getKey()) {
                case MATCH -> {}
                case "max-rate" -> rate = MessageRate.parse(f.getValue());
                case "max-concurrency" -> maxConcurrency = atLeastOne(f.getKey(), f.getValue());
                case "initial-concurrency" -> initial = atLeastOne(f.getKey(), f.getValue());
                default ->
                    throw new IllegalArgumentException(
                            "unknown key '" + f.getKey() + "' (match, max-rate, max-concurrency, initial-concurrency)");
            }
        }
        return new DestinationRule(match, rate, maxConcurrency, initial);
    }

    private static int atLeastOne(String key, String value) {
        try {
            int n = ConfigValues.parseInteger(value);
            if (n >= 1) {
                return n;
            }
        } catch (IllegalArgumentException e) {
            // said below
        }
        throw new IllegalArgumentException(
                key + " must be a whole number of at least 1, in plain decimal, got '" + value + "'");
    }

    /** Reads either form. */
    static final class Deserializer extends StdDeserializer<DestinationRule> {
        private static final long serialVersionUID = 1L;

        Deserializer() {
            super(DestinationRule.class);
        }

        @Override
        public DestinationRule deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            try {
                if (p.currentToken() == JsonToken.START_OBJECT) {
                    JsonNode node = p.readValueAsTree();
                    Map<String, String> fields = new LinkedHashMap<>();
                    for (Map.Entry<String, JsonNode> f : node.properties()) {
                        if (!f.getValue().isValueNode()) {
                            throw new IllegalArgumentException("'" + f.getKey() + "' must be a single value");
                        }
                        fields.put(f.getKey(), f.getValue().asText());
                    }
                    return rule(fields);
                }
                if (p.currentToken() == JsonToken.START_ARRAY) {
                    throw new IllegalArgumentException("an entry is a mapping or one line, not a list");
                }
                return parse(p.getText());
            } catch (IllegalArgumentException e) {
                throw new ConfigValueException(p, e.getMessage());
            }
        }
    }

    /** Writes the one-line form (as {@code check-config} prints it). */
    static final class Serializer extends StdSerializer<DestinationRule> {
        private static final long serialVersionUID = 1L;

        Serializer() {
            super(DestinationRule.class);
        }

        @Override
        public void serialize(DestinationRule value, JsonGenerator gen, SerializerProvider provider)
                throws IOException {
            gen.writeString(format(value));
        }
    }
}
