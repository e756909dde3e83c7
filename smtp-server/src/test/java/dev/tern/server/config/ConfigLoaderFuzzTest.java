package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Configuration loading from arbitrary YAML and {@code TERN_*} variables: the outcome is a typed
 * {@link TernConfig} or a {@link ConfigException} naming the key (or, when no key is to blame, saying
 * the text is not YAML or which variable is unknown), never anything else.
 */
class ConfigLoaderFuzzTest {

    static final List<String> ENV_NAMES =
            List.copyOf(ConfigKeys.envNames(Set.of("smtp", "submission")).keySet());

    @FuzzTest(maxDuration = "30s")
    void loadsOrNamesTheKey(FuzzedDataProvider data) {
        Map<String, String> env = new TreeMap<>();
        int variables = data.consumeInt(0, 4);
        for (int i = 0; i < variables; i++) {
            String name = data.consumeBoolean() ? data.pickValue(ENV_NAMES) : "TERN_" + data.consumeString(12);
            env.put(name, data.consumeString(40));
        }
        String yaml = data.consumeRemainingAsString();
        TernConfig config;
        try {
            config = ConfigLoader.fromYaml(yaml, env);
        } catch (ConfigException e) {
            assertThat(e.getMessage()).isNotBlank();
            if (e.key().isEmpty()) {
                // Only two failures concern no single key: text that is not YAML, an unknown variable.
                assertThat(e.getCause() instanceof JsonProcessingException
                                || e.getMessage().startsWith("unknown environment variable"))
                        .as("keyless error: %s", e.getMessage())
                        .isTrue();
            }
            return;
        }
        assertThat(config).isNotNull();
        // What check-config prints is itself a configuration that loads.
        assertThat(ConfigLoader.fromYaml(ConfigLoader.toYaml(config), Map.of())).isNotNull();
    }
}
