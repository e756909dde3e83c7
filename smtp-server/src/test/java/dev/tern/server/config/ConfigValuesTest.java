package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ConfigValuesTest {

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            textBlock =
                    """
            0,      0
            25,     25
            # a negative number is read, for the range check to name
            -1,     -1
            ' 7 ',  7
            """)
    void parsesIntegers(String text, int value) {
        assertThat(ConfigValues.parseInteger(text)).isEqualTo(value);
    }

    /** Where YAML 1.1 reads another base, or the environment would read another number than the file. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "025", // octal to YAML 1.1: 21
                "00", // a leading zero, even of zero
                "-010", // and after a sign
                "0x10", // hexadecimal: 16
                "0o17", // octal, YAML 1.2's way
                "0b11", // binary: 3
                "1_000", // grouped
                "+5", // a plus sign
                "1.5", // a fraction
                "2147483648", // past an int
                "lots", // words
                "" // nothing
            })
    void rejectsIntegersThatAreNotPlainDecimal(String text) {
        assertThatThrownBy(() -> ConfigValues.parseInteger(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'" + text + "'");
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            textBlock =
                    """
            # plain bytes
            0,          0
            1500,       1500
            # binary suffixes
            10KiB,      10240
            25MiB,      26214400
            2GiB,       2147483648
            # one-letter forms are powers of 1024 too
            10k,        10240
            3m,         3145728
            1g,         1073741824
            # case and a space do not matter
            '5 mib',    5242880
            """)
    void parsesSizes(String text, long bytes) {
        assertThat(ConfigValues.parseSize(text)).isEqualTo(bytes);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "", // nothing
                "10MB", // decimal units are ambiguous
                "-5", // negative
                "1.5MiB", // fractions
                "99999999999GiB", // overflows a long
                "MiB", // no number
                "010", // octal to YAML 1.1
                "010KiB", // a leading zero before a unit
                "0x10", // hexadecimal
                "1_000", // grouped
                "+5" // a plus sign
            })
    void rejectsBadSizes(String text) {
        assertThatThrownBy(() -> ConfigValues.parseSize(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0} = {1}")
    @CsvSource(
            textBlock =
                    """
            500ms,  PT0.5S
            30s,    PT30S
            5m,     PT5M
            2h,     PT2H
            1d,     PT24H
            """)
    void parsesDurations(String text, Duration expected) {
        assertThat(ConfigValues.parseDuration(text)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "30", // no unit
                "5 minutes", // words
                "-1s", // negative
                "1.5h", // fractions
                "05m", // a leading zero
                "+5m", // a plus sign
                "200000d", // more nanoseconds than a long holds: every timer of it would fail
                "9223372036855s", // the same in seconds
                "" // nothing
            })
    void rejectsBadDurations(String text) {
        assertThatThrownBy(() -> ConfigValues.parseDuration(text)).isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0", "1500", "10KiB", "25MiB", "2GiB"})
    void sizesPrintAsTheyParse(String text) {
        assertThat(ConfigValues.formatSize(ConfigValues.parseSize(text))).isEqualTo(text);
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"0s", "500ms", "1500ms", "30s", "5m", "2h", "1d"})
    void durationsPrintAsTheyParse(String text) {
        assertThat(ConfigValues.formatDuration(ConfigValues.parseDuration(text)))
                .isEqualTo(text);
    }
}
