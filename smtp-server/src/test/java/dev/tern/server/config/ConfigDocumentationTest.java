package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** docs/configuration.md lists every key and its environment name, since both derive from the records. */
class ConfigDocumentationTest {

    @Test
    void everyKeyAndEnvironmentNameIsDocumented() throws Exception {
        String doc = Files.readString(findDoc());

        var names = ConfigKeys.envNames(Set.of("NAME"));
        assertThat(names)
                .containsEntry("TERN_LISTENERS_NAME_PORT", "listeners.NAME.port")
                .hasSizeGreaterThan(40);
        names.forEach((env, key) -> {
            assertThat(doc).as("documents key %s", key).contains("`" + key + "`");
            assertThat(doc).as("documents variable %s", env).contains("`" + env + "`");
        });
    }

    private static Path findDoc() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("docs/configuration.md");
            if (Files.exists(candidate)) {
                return candidate;
            }
        }
        throw new AssertionError(
                "docs/configuration.md not found above " + Path.of("").toAbsolutePath());
    }
}
