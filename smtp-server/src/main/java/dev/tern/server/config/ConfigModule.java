package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.deser.std.StdScalarDeserializer;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.tern.relay.queue.DestinationRule;
import dev.tern.relay.queue.ReplyPattern;
import dev.tern.relay.tls.TlsPolicy;
import java.io.IOException;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.function.Function;

/**
 * How configuration scalars are read and written. Every scalar is read from its text, so a YAML number and
 * the string an environment variable gives bind alike; {@code long} values are sizes ({@code 25MiB}) and
 * durations carry their unit ({@code 30s}), both in the syntax of {@link ConfigValues}. Errors say what was
 * expected in words an operator reads, and Jackson adds the key.
 */
final class ConfigModule extends SimpleModule {
    private static final long serialVersionUID = 1L;

    ConfigModule() {
        super("tern-config");
        scalar(String.class, text -> text);
        scalar(Integer.class, ConfigValues::parseInteger);
        scalar(Boolean.class, ConfigModule::parseBoolean);
        scalar(Long.class, ConfigValues::parseSize);
        scalar(Duration.class, ConfigValues::parseDuration);
        scalar(Path.class, ConfigModule::parsePath);
        scalar(TlsPolicy.class, TlsPolicy::parse);
        addDeserializer(Integer.TYPE, new TextDeserializer<>(Integer.class, ConfigValues::parseInteger));
        addDeserializer(Boolean.TYPE, new TextDeserializer<>(Boolean.class, ConfigModule::parseBoolean));
        addDeserializer(Long.TYPE, new TextDeserializer<>(Long.class, ConfigValues::parseSize));
        addSerializer(new TextSerializer<>(Long.class, ConfigValues::formatSize));
        addSerializer(Long.TYPE, new TextSerializer<>(Long.class, ConfigValues::formatSize));
        addSerializer(new TextSerializer<>(Duration.class, ConfigValues::formatDuration));
        addSerializer(new TextSerializer<>(Path.class, Path::toString));
        scalar(ReplyPattern.class, ReplyPattern::parse);
        addSerializer(new TextSerializer<>(ReplyPattern.class, ReplyPattern::toString));
        addDeserializer(DestinationRule.class, new ShapingRuleText.Deserializer());
        addSerializer(new ShapingRuleText.Serializer());
        addSerializer(new TextSerializer<>(TlsPolicy.class, TlsPolicy::key));
    }

    private <T> void scalar(Class<T> type, Function<String, T> parse) {
        addDeserializer(type, new TextDeserializer<>(type, parse));
    }

    private static Boolean parseBoolean(String text) {
        return switch (text.toLowerCase(Locale.ROOT)) {
            case "true" -> true;
            case "false" -> false;
            default -> throw new IllegalArgumentException("expected true or false, got '" + text + "'");
        };
    }

    private static Path parsePath(String text) {
        if (text.isEmpty()) {
            // The empty path is the working directory: a variable set to nothing must not move Tern's files there.
            throw new IllegalArgumentException("must not be empty");
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new IllegalArgumentException("is not a valid path: " + e.getMessage(), e);
        }
    }

    /** A scalar from its (stripped) text; a list or mapping where a scalar belongs is an error. */
    static final class TextDeserializer<T> extends StdScalarDeserializer<T> {
        private static final long serialVersionUID = 1L;
        private final transient Function<String, T> parse;

        TextDeserializer(Class<T> type, Function<String, T> parse) {
            super(type);
            this.parse = parse;
        }

        @Override
        public T deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            JsonToken token = p.currentToken();
            if (token == JsonToken.START_OBJECT || token == JsonToken.START_ARRAY) {
                throw new ConfigValueException(
                        p, "must be a single value, not a " + (token == JsonToken.START_ARRAY ? "list" : "mapping"));
            }
            String text = p.getText().strip();
            try {
                return parse.apply(text);
            } catch (IllegalArgumentException e) {
                throw new ConfigValueException(p, e.getMessage());
            }
        }
    }

    /** A scalar written as the text its parser reads back. */
    static final class TextSerializer<T> extends StdSerializer<T> {
        private static final long serialVersionUID = 1L;
        private final transient Function<T, String> format;

        TextSerializer(Class<T> type, Function<T, String> format) {
            super(type);
            this.format = format;
        }

        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeString(format.apply(value));
        }
    }
}
