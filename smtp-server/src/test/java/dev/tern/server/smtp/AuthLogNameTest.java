package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A user name that failed AUTH goes into the log line as one field, whatever the client put in it. */
class AuthLogNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "alice                      | alice",
                "alice@example.org          | alice@example.org",
                "jürgen                     | jürgen", // letters of any script stay
                "al ice helo=evil           | al?ice?helo=evil", // a space would forge a field
                "al\u202eice                | al?ice", // a right-to-left override would reorder the line
                "a\u00a0b\u2028c\u200bd     | a?b?c?d", // no-break space, line separator, zero-width space
                "a\tb                       | a?b",
            })
    void hidesWhatCouldForgeOrReorderALogLine(String name, String logged) {
        assertThat(AuthHandler.loggable(name)).isEqualTo(logged);
    }

    @ParameterizedTest(name = "{0} characters")
    @CsvSource({"128, 128", "129, 129", "5000, 129"})
    void cutsALongNameAndSaysSo(int length, int loggedLength) {
        String logged = AuthHandler.loggable("x".repeat(length));
        assertThat(logged).hasSize(Math.min(length, loggedLength));
        assertThat(logged.endsWith("…")).isEqualTo(length > 128);
    }
}
