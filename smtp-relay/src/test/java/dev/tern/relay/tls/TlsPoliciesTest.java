package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TlsPoliciesTest {
    private final TlsPolicies policies = new TlsPolicies(Map.of(
            "example.com", TlsPolicy.VERIFY,
            ".example.com", TlsPolicy.ENCRYPT,
            "open.example.com", TlsPolicy.NONE,
            ".Corp.Test", TlsPolicy.DANE));

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            its own entry | example.com         | verify
            without regard to case or a trailing dot | EXAMPLE.com.        | verify
            a subdomain: the .example.com entry | mx.example.com      | encrypt
            ... at any depth | a.b.example.com     | encrypt
            an exact entry wins over the parent entry | open.example.com    | none
            an exact entry does not cover subdomains | x.open.example.com  | encrypt
            .corp.test is for subdomains only | corp.test           | ''
            a .parent entry | hq.corp.test | dane
            no entry | example.net         | ''
            """)
    void findsTheExactEntryElseTheNearestParent(String what, String domain, String expected) {
        assertThat(policies.of(domain).map(TlsPolicy::key).orElse("")).isEqualTo(expected);
    }

    @ParameterizedTest
    @CsvSource({"none,NONE", "May,MAY", " encrypt ,ENCRYPT", "VERIFY,VERIFY", "dane,DANE"})
    void parsesTheConfigurationSpelling(String text, TlsPolicy policy) {
        assertThat(TlsPolicy.parse(text)).isEqualTo(policy);
    }

    @ParameterizedTest
    @CsvSource({"required", "mta-sts", "''"})
    void refusesAnythingElse(String text) {
        assertThatThrownBy(() -> TlsPolicy.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("none, may, encrypt, verify, dane");
    }
}
