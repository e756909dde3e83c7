package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SmtpVerbTest {

    @Test
    void everyVerbIsFoundInAnyMixOfCases() {
        for (SmtpVerb verb : SmtpVerb.values()) {
            if (verb == SmtpVerb.UNKNOWN) {
                continue;
            }
            String name = verb.name();
            StringBuilder mixed = new StringBuilder();
            for (int i = 0; i < name.length(); i++) {
                char c = name.charAt(i);
                mixed.append(i % 2 == 0 ? Character.toLowerCase(c) : c);
            }
            assertThat(SmtpVerb.of(name)).isEqualTo(verb);
            assertThat(SmtpVerb.of(name.toLowerCase(java.util.Locale.ROOT))).isEqualTo(verb);
            assertThat(SmtpVerb.of(mixed)).isEqualTo(verb);
        }
    }

    @Test
    void lettersOutsideUsAsciiWhoseCapitalsAreAsciiMakeNoVerb() {
        // Unicode's capital of the dotless i (U+0131) is I, and of the long s (U+017F) is S.
        assertThat(SmtpVerb.of("ma\u0131l")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("\u017Ftarttls")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("MA\u0130L")).isEqualTo(SmtpVerb.UNKNOWN);
    }

    @Test
    void wordsOfOtherLengthsOrSpellingsAreUnknown() {
        assertThat(SmtpVerb.of("")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("MAI")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("MAILS")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("STARTTLSX")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("UNKNOWN")).isEqualTo(SmtpVerb.UNKNOWN);
        assertThat(SmtpVerb.of("M@IL")).isEqualTo(SmtpVerb.UNKNOWN);
    }
}
