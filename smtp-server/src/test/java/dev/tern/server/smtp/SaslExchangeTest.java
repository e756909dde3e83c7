package dev.tern.server.smtp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.smtp.SmtpReplies;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SaslExchangeTest {

    private static String b64(String text) {
        return Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    @ParameterizedTest(name = "PLAIN {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "'\\0alice\\0secret'         | alice | secret", // no authorization identity
                "'alice\\0alice\\0secret'    | alice | secret", // the same identity given twice
                "'\\0jürgen\\0pässword'      | jürgen | pässword", // UTF-8 (RFC 4616 UTF8SAFE)
            })
    void plainGivesCredentials(String message, String user, String password) {
        SaslExchange.Step step = SaslExchange.start("PLAIN").next(b64(message.replace("\\0", "\0")));
        assertThat(step).isEqualTo(new SaslExchange.Credentials(user, password));
    }

    @ParameterizedTest(name = "PLAIN {0}")
    @CsvSource(
            delimiter = '|',
            value = {
                "'\\0ali\\nce\\0secret'   | Malformed user name", // a line break in the name: log injection
                "'\\0alice\\u001b[2J\\0x' | Malformed user name", // a terminal escape
                "'\\0alice\\u0085\\0x'    | Malformed user name", // a C1 control (NEL)
                "'\\0\\0secret'           | Malformed PLAIN response", // no name at all
                "'bob\\0alice\\0secret'   | Authentication credentials invalid", // acting as another user
            })
    void plainRefuses(String message, String text) {
        String raw = message.replace("\\0", "\0")
                .replace("\\n", "\n")
                .replace("\\u001b", "\u001b")
                .replace("\\u0085", "\u0085");
        SaslExchange.Step step = SaslExchange.start("PLAIN").next(b64(raw));
        assertThat(step).isInstanceOfSatisfying(SaslExchange.Failed.class, f -> assertThat(
                        f.reply().text())
                .isEqualTo(text));
    }

    @org.junit.jupiter.api.Test
    void saysWhenWellFormedBase64HoldsNoUtf8AndWhenTheClientCancels() {
        byte[] notUtf8 = {0, (byte) 0xff, (byte) 0xfe, 0, 'p', 'w'};
        assertThat(SaslExchange.start("PLAIN")
                        .next(java.util.Base64.getEncoder().encodeToString(notUtf8)))
                .isEqualTo(new SaslExchange.Failed(SaslExchange.NOT_UTF8));
        assertThat(SaslExchange.NOT_UTF8.toString()).isEqualTo("501 5.5.2 Credentials are not UTF-8");
        assertThat(SaslExchange.start("PLAIN").next("*"))
                .isEqualTo(new SaslExchange.Failed(SmtpReplies.AUTH_CANCELLED));
        assertThat(SmtpReplies.AUTH_CANCELLED.toString()).isEqualTo("501 5.7.0 Authentication cancelled");
    }

    @org.junit.jupiter.api.Test
    void loginRefusesAControlCharacterInTheName() {
        SaslExchange login = SaslExchange.start("LOGIN");
        assertThat(login.next(null)).isInstanceOf(SaslExchange.Challenge.class);
        assertThat(login.next(b64("alice\r\nforged log line")))
                .isEqualTo(new SaslExchange.Failed(SaslExchange.MALFORMED_USER));
        assertThat(SaslExchange.MALFORMED_USER.code()).isEqualTo(SmtpReplies.BAD_BASE64.code());
    }
}
