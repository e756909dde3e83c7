package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MtaStsPolicyTest {
    private static final Instant NOW = Instant.parse("2026-12-04T07:00:00Z");

    @Test
    void readsTheRfcExample() {
        // RFC 8461 3.2's example, with CRLF line ends and an extension field to ignore.
        String body = "version: STSv1\r\nmode: enforce\r\nmx: mail.example.com\r\nmx: *.example.net\r\n"
                + "mx: backupmx.example.com\r\nmax_age: 604800\r\nextension: ignored\r\n";

        MtaStsPolicy policy = MtaStsPolicy.parse(body, "20160831085700Z", NOW).policy();

        assertThat(policy.mode()).isEqualTo(MtaStsPolicy.Mode.ENFORCE);
        assertThat(policy.mx()).containsExactly("mail.example.com", "*.example.net", "backupmx.example.com");
        assertThat(policy.expires()).isEqualTo(NOW.plus(Duration.ofDays(7)));
        DomainTls tls = policy.domainTls();
        assertThat(tls.lists("a.example.net")).isTrue();
        assertThat(tls.lists("a.b.example.net")).isFalse();
        assertThat(tls.lists("evil.example.com")).isFalse();
        assertThat(tls.level()).isEqualTo(TlsPolicy.VERIFY);
    }

    @Test
    void capsMaxAgeAtAYear() {
        String body = "version: STSv1\nmode: testing\nmx: mx.example.com\nmax_age: 9999999999\n";

        MtaStsPolicy policy = MtaStsPolicy.parse(body, "1", NOW).policy();

        assertThat(policy.maxAge()).isEqualTo(Duration.ofSeconds(31_557_600));
        assertThat(policy.domainTls().testing()).isTrue();
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            mode: enforce\\nmx: a.example\\nmax_age: 1                  | version is not STSv1
            version: STSv2\\nmode: enforce\\nmx: a.example\\nmax_age: 1 | version is not STSv1
            version: STSv1\\nmode: strict\\nmx: a.example\\nmax_age: 1  | mode is enforce, testing or none
            version: STSv1\\nmode: enforce\\nmax_age: 1                 | no mx pattern
            version: STSv1\\nmode: enforce\\nmx: a.example\\nmax_age: -1 | max_age is not a number
            version: STSv1\\nmode: enforce\\nmx: a.*.example\\nmax_age: 1 | mx is not a host name
            version: STSv1\\nmode: enforce\\nmx: a.example              | mode and max_age are required
            <html>                                                      | a line without 'key: value'
            """)
    void saysWhatIsWrong(String body, String error) {
        MtaStsPolicy.Parsed parsed = MtaStsPolicy.parse(body.replace("\\n", "\n"), "1", NOW);

        assertThat(parsed.policy()).isNull();
        assertThat(parsed.error()).startsWith(error);
    }
}
