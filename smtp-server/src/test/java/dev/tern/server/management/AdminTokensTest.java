package dev.tern.server.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The admin token file: made at first start, parsed strictly, checked by name, read again when edited. */
class AdminTokensTest {
    private static final String TOKEN = "0123456789abcdef-token";

    @TempDir
    Path dir;

    @Test
    void aMissingFileIsCreatedWithOneRandomTokenReadableByItsOwnerOnly() throws Exception {
        Path file = dir.resolve("sub").resolve("admin-token");
        try (AdminTokens tokens = AdminTokens.open(file)) {
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
                    .isEqualTo("rw-------");
            String line = Files.readString(file);
            assertThat(line).matches("admin:[A-Za-z0-9_-]{43}\n");
            String token = line.substring("admin:".length()).strip();
            assertThat(check(tokens, "Bearer " + token)).hasValue("admin");
            assertThat(AdminTokens.firstToken(file)).hasValue(token);
        }
        String first = Files.readString(file);
        try (AdminTokens again = AdminTokens.open(file)) {
            assertThat(Files.readString(file)).as("an existing file is kept").isEqualTo(first);
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            nullValues = "null",
            value = {
                // Authorization header,            name
                "Bearer 0123456789abcdef-token,     ops",
                "bearer 0123456789abcdef-token,     ops",
                "Bearer 0123456789abcdef-toke,      null",
                "Bearer 0123456789abcdef-token2,    null",
                "Basic b3BzOnBhc3N3b3Jk,            null",
                "Bearer,                            null",
                "null,                              null",
            })
    void findsTheNameOfAKnownTokenOnly(String header, String name) throws Exception {
        Path file =
                Files.writeString(dir.resolve("tokens"), "# operators\n\nops:" + TOKEN + "\nci:another-token-0000\n");
        try (AdminTokens tokens = AdminTokens.open(file)) {
            assertThat(check(tokens, header)).isEqualTo(Optional.ofNullable(name));
        }
    }

    @Test
    void anEditedFileIsReadAgainSoATokenCanBeRotated() throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "ops:" + TOKEN + "\n");
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));
        try (AdminTokens tokens = AdminTokens.open(file, now::get)) {
            assertThat(check(tokens, "Bearer " + TOKEN)).hasValue("ops");
            Files.writeString(file, "ops:the-new-token-0123\n");
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));
            now.set(now.get().plusSeconds(2));
            assertThat(check(tokens, "Bearer " + TOKEN)).isEmpty();
            assertThat(check(tokens, "Bearer the-new-token-0123")).hasValue("ops");
        }
    }

    /**
     * A file emptied while Tern runs (a shell's {@code >} truncates it before it writes) keeps the tokens in force
     * until it holds one again, rather than refusing everyone meanwhile.
     */
    @ParameterizedTest(name = "emptied to \"{0}\"")
    @ValueSource(strings = {"", "# being rotated\n"})
    void aFileEmptiedWhileRunningKeepsTheTokensInForce(String emptied) throws Exception {
        Path file = Files.writeString(dir.resolve("tokens"), "ops:" + TOKEN + "\n");
        AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2030-01-01T00:00:00Z"));
        try (AdminTokens tokens = AdminTokens.open(file, now::get)) {
            Files.writeString(file, emptied);
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2031-01-01T00:00:00Z")));
            now.set(now.get().plusSeconds(2));
            assertThat(check(tokens, "Bearer " + TOKEN)).as("still in force").hasValue("ops");

            Files.writeString(file, "ops:the-new-token-0123\n");
            Files.setLastModifiedTime(file, FileTime.from(Instant.parse("2031-01-01T00:00:05Z")));
            now.set(now.get().plusSeconds(2));
            assertThat(check(tokens, "Bearer the-new-token-0123")).hasValue("ops");
            assertThat(check(tokens, "Bearer " + TOKEN)).isEmpty();
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // content                                 | error names
                "no-colon-here                              | expected NAME:TOKEN",
                ":0123456789abcdef                          | expected NAME:TOKEN",
                "ops:short                                  | at least 16",
                "ops:0123456789abcdef\\nops:fedcba9876543210 | appears twice",
            })
    void refusesAMalformedLineNamingItButNotTheToken(String content, String error) {
        List<String> lines = List.of(content.split("\\\\n"));
        assertThatThrownBy(() -> AdminTokens.parse("tokens", lines))
                .hasMessageContaining("tokens line")
                .hasMessageContaining(error)
                .hasMessageNotContaining("fedcba9876543210");
    }

    private static Optional<String> check(AdminTokens tokens, String header) throws Exception {
        return tokens.check(header).toCompletableFuture().get();
    }
}
