package dev.tern.server.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteSpecTest {

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            nullValues = "-",
            value = {
                "smtp.example.net                      | smtp.example.net | 25  | STARTTLS | false | -", // defaults
                "smtp.example.net:2525 none            | smtp.example.net | 2525 | NONE    | false | -", // plaintext,
                // own port
                "smtp.example.net implicit             | smtp.example.net | 465 | IMPLICIT | false | -", // RFC 8314
                // port
                "smtp.example.net starttls verify user=bob password-file=/run/pw | smtp.example.net | 587 | STARTTLS | true | bob", // submission port with AUTH
                "127.0.0.1:587 STARTTLS                | 127.0.0.1        | 587 | STARTTLS | false | -", // words are
                // case-insensitive
                "[::1]:2525 none                       | ::1              | 2525 | NONE    | false | -", // IPv6 literal
                // in brackets
                "[192.0.2.1]                           | 192.0.2.1        | 25  | STARTTLS | false | -", // bracketed
                // literal, no
                // port
            })
    void parsesARoute(String text, String host, int port, RouteSpec.Tls tls, boolean verify, String user) {
        RouteSpec route = RouteSpec.parse(text);
        assertThat(route.host()).isEqualTo(host);
        assertThat(route.port()).isEqualTo(port);
        assertThat(route.tls()).isEqualTo(tls);
        assertThat(route.verify()).isEqualTo(verify);
        assertThat(route.username()).isEqualTo(user);
        assertThat(route.passwordFile()).isEqualTo(user == null ? null : Path.of("/run/pw"));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "'   '                                  | must name a host", // empty
                "smtp.example.net:x                     | bad port", // port not a number
                "smtp.example.net:70000                 | port must be 1..65535", // port out of range
                "smtp.example.net user=bob              | go together", // user without password file
                "smtp.example.net tls                   | unknown route word 'tls'", // a typo
                "smtp.example.net none user=bob password-file=/run/pw | password would be sent in clear", // AUTH
                // without TLS
            })
    void refusesABadRoute(String text, String message) {
        assertThatThrownBy(() -> RouteSpec.parse(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message);
    }

    @org.junit.jupiter.api.Test
    void aBadRouteNamesItsKey() {
        assertThatThrownBy(() -> ConfigLoader.fromYaml(
                        "delivery:\n  routes:\n    corp.test: \"smtp.corp.test:99999\"\n", Map.of()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("delivery.routes.corp.test");
    }
}
