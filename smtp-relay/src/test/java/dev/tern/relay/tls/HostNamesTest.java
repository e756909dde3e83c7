package dev.tern.relay.tls;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tern.relay.testing.TestCa;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostNamesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            the same name | mx.example.com      | mx.example.com      | true
            case and a trailing dot do not matter | MX.Example.COM      | mx.example.com.     | true
            a wildcard is one whole left-most label | *.example.com       | mx.example.com      | true
            ... and exactly one label | *.example.com       | a.mx.example.com    | false
            ... never none | *.example.com       | example.com         | false
            no partial wildcards (RFC 7672 3.2.3) | m*.example.com      | mx.example.com      | false
            only in the left-most label | mx.*.com            | mx.example.com      | false
            never directly above a top-level name | *.com               | example.com         | false
            another name | other.example.com   | mx.example.com      | false
            """)
    void matchesLikeRfc6125ForSmtp(String what, String pattern, String host, boolean matches) {
        assertThat(HostNames.matches(pattern, host)).isEqualTo(matches);
    }

    @ParameterizedTest(name = "{1}")
    @CsvSource(
            delimiter = '|',
            textBlock =
                    """
            mx.example.com    | mx.example.com   | true
            *.example.com     | mx.example.com   | true
            mx.example.com    | mx.example.net   | false
            """)
    void checksTheCertificatesDnsNames(String certified, String host, boolean matches) {
        TestCa ca = new TestCa("Test CA");
        assertThat(HostNames.certificateNames(
                        ca.issue("first.example.org", certified).chain()[0], host))
                .isEqualTo(matches);
    }
}
