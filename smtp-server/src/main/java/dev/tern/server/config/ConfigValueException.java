package dev.tern.server.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * A value Jackson read but Tern refuses, raised while binding so that Jackson adds the key path on its way
 * out; {@link ConfigLoader} turns it into a {@link ConfigException} naming that key.
 */
final class ConfigValueException extends JsonMappingException {
    private static final long serialVersionUID = 1L;

    ConfigValueException(JsonParser parser, String detail) {
        super(parser, detail);
    }
}
