package dev.tern.smtp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EhloReplyTest {

    private static EhloReply parse(String... lines) {
        return EhloReply.parse(new SmtpReply(250, null, List.of(lines)));
    }

    @Test
    void readsDomainAndExtensions() {
        EhloReply ehlo = parse(
                "mx.example.com Hello client [192.0.2.1]",
                "PIPELINING",
                "SIZE 10240000",
                "8BITMIME",
                "auth plain login",
                "STARTTLS",
                "ENHANCEDSTATUSCODES");
        assertThat(ehlo.domain()).isEqualTo("mx.example.com");
        assertThat(ehlo.extensions().keySet())
                .containsExactly("PIPELINING", "SIZE", "8BITMIME", "AUTH", "STARTTLS", "ENHANCEDSTATUSCODES");
        assertThat(ehlo.supports("pipelining")).isTrue();
        assertThat(ehlo.supports("SMTPUTF8")).isFalse();
        assertThat(ehlo.sizeLimit()).isEqualTo(OptionalLong.of(10_240_000));
        assertThat(ehlo.authMechanisms()).containsExactly("PLAIN", "LOGIN");
        assertThat(ehlo.parameters("AUTH")).containsExactly("plain", "login");
    }

    @Test
    void singleLineReplyHasNoExtensions() {
        EhloReply ehlo = parse("mx.example.com");
        assertThat(ehlo.domain()).isEqualTo("mx.example.com");
        assertThat(ehlo.extensions()).isEmpty();
        assertThat(ehlo.authMechanisms()).isEmpty();
        assertThat(ehlo.sizeLimit()).isEmpty();
    }

    @Test
    void keywordsSpelledOutsideUsAsciiAreNotTheExtensions() {
        // A hostile server's "STARTTL\u017F" and "S\u0131ZE": their Unicode capitals are ASCII, but no extension is.
        EhloReply ehlo = parse("mx.example.com", "STARTTL\u017F", "S\u0131ZE 100", "AUTH PLA\u0131N");
        assertThat(ehlo.supports("STARTTLS")).isFalse();
        assertThat(ehlo.sizeLimit()).isEmpty();
        assertThat(ehlo.authMechanisms()).doesNotContain("PLAIN");
    }

    @Test
    void mergesTheOldAuthEqualsForm() {
        EhloReply ehlo = parse("mx.example.com", "AUTH=LOGIN PLAIN", "AUTH PLAIN CRAM-MD5");
        assertThat(ehlo.authMechanisms()).containsExactly("LOGIN", "PLAIN", "CRAM-MD5");
    }

    @Test
    void skipsLinesThatAreNotKeywords() {
        EhloReply ehlo = parse("mx.example.com", "", "-BAD", "X_UNDERSCORE", "CHUNKING");
        assertThat(ehlo.extensions().keySet()).containsExactly("CHUNKING");
    }

    @Test
    void refusesANegativeReply() {
        assertThatThrownBy(() -> EhloReply.parse(new SmtpReply(502, "5.5.1", "no EHLO")))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            SIZE 52428800       | 52428800 | announced limit
            SIZE                | -1 | no parameter: no announced limit (RFC 1870 4)
            SIZE 0              | -1 | zero means no fixed maximum
            SIZE big            | -1 | malformed parameter is ignored
            SIZE 99999999999999999999 | -1 | does not fit a long
            PIPELINING          | -1 | SIZE not announced
            """)
    void sizeLimit(String line, long expected, String why) {
        OptionalLong limit = parse("mx.example.com", line).sizeLimit();
        assertThat(limit).as(why).isEqualTo(expected < 0 ? OptionalLong.empty() : OptionalLong.of(expected));
    }

    /** Found by ReplyDecoderFuzzTest: nineteen digits above Long.MAX_VALUE made sizeLimit() throw. */
    @Test
    void sizeLimitOfNineteenDigitsBeyondALongIsNoLimit() {
        assertThat(parse("mx.example.com", "SIZE 9999999999999999999").sizeLimit())
                .isEmpty();
        assertThat(parse("mx.example.com", "SIZE 9223372036854775807").sizeLimit())
                .isEqualTo(OptionalLong.of(Long.MAX_VALUE));
    }
}
