package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HostPortTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "smtp.example.net       | smtp.example.net | 25", // a name, the default port
                "smtp.example.net:2525  | smtp.example.net | 2525", // a name with a port
                "127.0.0.1:5353         | 127.0.0.1        | 5353", // IPv4 with a port
                "[::1]:5353             | ::1              | 5353", // IPv6 in brackets with a port
                "[::1]                  | ::1              | 25", // IPv6 in brackets alone
                "2001:db8::1            | 2001:db8::1      | 25", // a bare IPv6 literal cannot carry a port
                "[192.0.2.1]            | 192.0.2.1        | 25", // a bracketed IPv4 literal
            })
    void readsHostAndPort(String text, String host, int port) {
        assertThat(HostPort.parse(text, 25)).isEqualTo(new HostPort(host, port));
        assertThat(HostPort.parse(HostPort.parse(text, 25).toString(), 1)).isEqualTo(new HostPort(host, port));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "host:          | bad port", // an empty port
                "host:x         | bad port", // not digits
                "host:0         | port must be 1..65535", // port zero
                "host:65536     | port must be 1..65535", // too large
                "[::1           | no closing", // unclosed bracket
                "[::1]x         | expected ':port'", // junk after the bracket
                ":25            | must name a host", // no host
            })
    void refusesBadText(String text, String message) {
        assertThatThrownBy(() -> HostPort.parse(text, 25))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "127.0.0.1:5353 | 127.0.0.1:5353", // IPv4 with a port
                "192.0.2.53     | 192.0.2.53:53", // the DNS port by default
                "[::1]:5353     | [::1]:5353", // IPv6 in brackets with a port
                "::1            | [::1]:53", // a bare IPv6 literal
            })
    void readsAResolverAddress(String text, String printed) {
        DnsServer server = DnsServer.parse(text);
        assertThat(server.toString()).isEqualTo(printed);
        assertThat(server.socketAddress().isUnresolved()).isFalse();
    }

    @org.junit.jupiter.api.Test
    void refusesAResolverByName() {
        assertThatThrownBy(() -> DnsServer.parse("dns.example:53"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("must be an IP address");
    }
}
