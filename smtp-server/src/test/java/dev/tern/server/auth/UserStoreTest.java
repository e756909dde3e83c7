package dev.tern.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tern.server.testing.ExternalTools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class UserStoreTest {
    private static final String ALICE = "alice:" + UserStore.newHash("wonderland".toCharArray());

    @Test
    void acceptsTheRightPasswordOnly() {
        UserStore store = UserStore.parse("users", List.of(ALICE));

        assertThat(store.verify("alice", "wonderland")).isTrue();
        assertThat(store.verify("alice", "Wonderland")).isFalse();
        assertThat(store.verify("Alice", "wonderland")).isFalse();
        assertThat(store.verify("bob", "wonderland")).isFalse();
    }

    @ParameterizedTest(name = "${0}$")
    @ValueSource(strings = {"2a", "2b", "2y"})
    void acceptsEveryBcryptVersion(String version) {
        byte[] salt = new byte[16];
        new SecureRandom().nextBytes(salt);
        String hash = OpenBSDBCrypt.generate(version, "pw".toCharArray(), salt, 4);

        UserStore store = UserStore.parse("users", List.of("bob:" + hash));

        assertThat(hash).startsWith("$" + version + "$");
        assertThat(store.verify("bob", "pw")).isTrue();
    }

    @Test
    void skipsCommentsAndBlankLines() {
        UserStore store = UserStore.parse("users", List.of("# users", "", "   ", ALICE));

        assertThat(store.size()).isEqualTo(1);
        assertThat(store.contains("alice")).isTrue();
    }

    @Test
    void longPasswordsNeverMatch() {
        UserStore store = UserStore.parse("users", List.of(ALICE));

        assertThat(store.verify("alice", "wonderland" + "x".repeat(100))).isFalse();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            # MD5 apr1 hashes from htpasswd -m are refused
            carol:$apr1$abcdefgh$0123456789abcdefghijkl | users line 2: the hash for 'carol' is not bcrypt
            # SHA-1
            carol:{SHA}W6ph5Mm5Pz8GgiULbPgzG37mj9g=      | users line 2: the hash for 'carol' is not bcrypt
            # no separator
            carol                                        | users line 2: expected name:hash
            # empty name
            :$2y$10$sCYXDMZgk9c8lLukz41mMOTzJzon74PZcQEzQpkpzjowaDhuR6t8e | users line 2: the user name is empty
            # truncated bcrypt
            carol:$2y$10$sCYXDMZgk9c8                    | users line 2: the hash for 'carol' is not bcrypt
            """)
    void rejectsBadLinesNamingFileAndLine(String line, String message) {
        assertThatThrownBy(() -> UserStore.parse("users", List.of(ALICE, line)))
                .isInstanceOf(UserFileException.class)
                .hasMessageContaining(message);
    }

    @Test
    void rejectsAUserListedTwice() {
        assertThatThrownBy(() -> UserStore.parse("users", List.of(ALICE, ALICE)))
                .isInstanceOf(UserFileException.class)
                .hasMessageContaining("users line 2: user 'alice' appears twice");
    }

    @ParameterizedTest(name = "[{0}]")
    @ValueSource(
            strings = {
                "a:b", // the separator
                "a b", // a space
                "a\tb", // a tab
                "a\u0001b", // a control character
                "" // nothing
            })
    void refusesNamesTheFileCannotHold(String name) {
        assertThat(UserStore.nameProblem(name)).isNotNull();
    }

    @Test
    void acceptsOrdinaryNames() {
        assertThat(UserStore.nameProblem("alice@example.org")).isNull();
    }

    @Test
    void missingFileIsAnEmptyStore(@TempDir Path dir) {
        UserStore store = UserStore.load(dir.resolve("users"));

        assertThat(store.size()).isZero();
        assertThat(store.verify("alice", "wonderland")).isFalse();
    }

    @Test
    void fileErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("users"), "alice:plain\n");

        assertThatThrownBy(() -> UserStore.load(file))
                .isInstanceOf(UserFileException.class)
                .hasMessageContaining(file + " line 1");
    }

    @Test
    void acceptsALineWrittenByHtpasswd(@TempDir Path dir) throws Exception {
        Path htpasswd = ExternalTools.require("htpasswd", "apache2-utils");
        Process process = new ProcessBuilder(htpasswd.toString(), "-nbB", "-C", "10", "dave", "s3cret")
                .redirectErrorStream(true)
                .start();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        String line = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        Path file = Files.writeString(dir.resolve("users"), line + "\n");

        UserStore store = UserStore.load(file);

        assertThat(line).startsWith("dave:$2y$10$");
        assertThat(store.verify("dave", "s3cret")).isTrue();
        assertThat(store.verify("dave", "secret")).isFalse();
    }
}
