package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** RFC 3463 2: {@code class.subject.detail}, each part one to three digits, the class 2, 4 or 5. */
class EnhancedStatusTest {

    @ParameterizedTest
    @CsvSource({"2.0.0, 2, 0, 0", "5.1.1, 5, 1, 1", "4.7.10, 4, 7, 10", "5.999.999, 5, 999, 999", "4.04.001, 4, 4, 1"})
    void givesEachPartItsNumberAndReadsWhatItWrites(String text, int statusClass, int subject, int detail) {
        EnhancedStatus status = EnhancedStatus.parse(text);
        assertThat(status).isEqualTo(new EnhancedStatus(statusClass, subject, detail));
        assertThat(EnhancedStatus.parse(status.toString())).isEqualTo(status);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "",
                "5",
                "5.1",
                "5.1.1.1",
                "5..1",
                "5.1.",
                ".1.1",
                "+5.1.1",
                "5.+1.1",
                "5.-1.1",
                "5.1000.1",
                "5.1.0001",
                "55.1.1",
                "\uFF15.1.1",
                "5.1.\u0661",
                "5.1.1 ",
                " 5.1.1",
                "3.1.1",
                "x.y.z"
            })
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> EnhancedStatus.parse(text)).isInstanceOf(IllegalArgumentException.class);
    }
}
