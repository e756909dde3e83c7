package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmtpTextTest {

    @Test
    void asciiUpperCaseChangesOnlyTheLettersAToZ() {
        assertThat(SmtpText.asciiUpperCase("mail from")).isEqualTo("MAIL FROM");
        assertThat(SmtpText.asciiUpperCase("ma\u0131l \u017F \u00e9 7bit")).isEqualTo("MA\u0131L \u017F \u00e9 7BIT");
        String capitals = "STARTTLS";
        assertThat(SmtpText.asciiUpperCase(capitals)).isSameAs(capitals);
    }

    @Test
    void startsWithIgnoringAsciiCaseMatchesOnlyTheLettersAToZInAnyCase() {
        assertThat(SmtpText.startsWithIgnoringAsciiCase("from:<a@example.com>", "FROM:"))
                .isTrue();
        assertThat(SmtpText.startsWithIgnoringAsciiCase("FrOm:", "FROM:")).isTrue();
        assertThat(SmtpText.startsWithIgnoringAsciiCase("FROM", "FROM:")).isFalse();
        assertThat(SmtpText.startsWithIgnoringAsciiCase("TO\u212A:", "TOK:")).isFalse(); // the Kelvin sign
        assertThat(SmtpText.startsWithIgnoringAsciiCase("\u017Fize=1", "SIZE=")).isFalse();
        assertThat(SmtpText.startsWithIgnoringAsciiCase("FROM:", "FROM:")).isTrue();
    }
}
