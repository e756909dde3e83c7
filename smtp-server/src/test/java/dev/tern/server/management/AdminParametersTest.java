package dev.tern.server.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** An admin request's parameters come from its query and its body alike; readers name what is wrong. */
class AdminParametersTest {
    private static final String PATH = "/admin/destinations/x.test/suspend";

    @Test
    void aJsonBodyAddsToTheQuery() {
        assertThat(parameters("?reason=maintenance", "application/json", "{\"for\": \"30m\", \"n\": 5, \"x\": null}"))
                .containsExactlyInAnyOrderEntriesOf(
                        Map.of("reason", List.of("maintenance"), "for", List.of("30m"), "n", List.of("5")));
    }

    @Test
    void aFormBodyIsReadAsCurlSendsIt() {
        assertThat(parameters("", "application/x-www-form-urlencoded", "for=30m&reason=moving+servers"))
                .containsExactlyInAnyOrderEntriesOf(Map.of("for", List.of("30m"), "reason", List.of("moving servers")));
    }

    @Test
    void aParameterInBothIsGivenTwice() {
        Map<String, List<String>> both = parameters("?for=1h", "application/json", "{\"for\": \"2h\"}");
        assertThat(both.get("for")).containsExactly("1h", "2h");
        assertThatThrownBy(() -> request(both).text("for"))
                .isInstanceOf(AdminRequest.BadParameter.class)
                .hasMessage("for may be given once");
    }

    @Test
    void aMemberNamedTwiceIsAParameterGivenTwice() {
        Map<String, List<String>> twice = parameters("", "application/json", "{\"for\": \"10m\", \"for\": \"20m\"}");
        assertThat(twice.get("for")).containsExactly("10m", "20m");
        assertThatThrownBy(() -> request(twice).text("for"))
                .isInstanceOf(AdminRequest.BadParameter.class)
                .hasMessage("for may be given once");
    }

    @Test
    void noBodyIsNoParameters() {
        assertThat(parameters("", null, "")).isEmpty();
        assertThat(parameters("", "application/json", " \r\n")).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            value = {
                // body                     | content type                      | parameter named
                "[\"for\", \"1h\"]          | application/json                  | body",
                "{\"for\":                  | application/json                  | body",
                "for=1h                     | text/plain                        | body",
                "\"30m\"                    | application/json                  | body",
                "{\"for\": {\"m\": 5}}      | application/json                  | for",
                "{\"for\": [\"1h\"]}        | application/json                  | for",
                "{\"for\": \"1h\"} trailing | application/json                  | body",
                "{\"for\": \"1h\"}{\"x\": 1}  | application/json                  | body",
            })
    void aBodyThatIsNoFlatObjectOrFormIsRefusedNamingWhatIsWrong(String body, String type, String parameter) {
        assertThatThrownBy(() -> parameters("", type, body))
                .isInstanceOfSatisfying(AdminRequest.BadParameter.class, e -> assertThat(e.parameter())
                        .isEqualTo(parameter));
    }

    /**
     * Found by fuzzing (corpus {@code query-with-bad-escape}, {@code form-with-bad-escape}): Netty's decoder threw
     * {@code IllegalArgumentException}, which closed the connection without an answer.
     */
    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                // query          | form body              | parameter named
                "?sender=%e       |                        | query",
                "?for=%zz&x=1     |                        | query",
                "                 | for=30m&reason=%zz     | body",
                "                 | %                      | body",
            })
    void aMalformedPercentEscapeIsRefusedNamingQueryOrBody(String query, String body, String parameter) {
        assertThatThrownBy(() -> parameters(
                        query == null ? "" : query, "application/x-www-form-urlencoded", body == null ? "" : body))
                .isInstanceOfSatisfying(AdminRequest.BadParameter.class, e -> {
                    assertThat(e.parameter()).isEqualTo(parameter);
                    assertThat(e.getMessage())
                            .isEqualTo("the " + parameter + " has a % not followed by two hex digits");
                });
    }

    /**
     * Found by fuzzing (corpus {@code json-parameter-without-name}): {@code {"": "30m"}} was refused as an unknown
     * parameter named by an empty string.
     */
    @Test
    void aJsonMemberWithoutANameIsRefused() {
        assertThatThrownBy(() -> parameters("", "application/json", "{\"\": \"30m\", \"reason\": \"x\"}"))
                .isInstanceOfSatisfying(AdminRequest.BadParameter.class, e -> {
                    assertThat(e.parameter()).isEqualTo("body");
                    assertThat(e.getMessage()).isEqualTo("a parameter of the body has no name");
                });
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // text, accepted
        "30m,    true",
        "1ms,    true",
        "365d,   true",
        "366d,   false",
        "0s,     false",
        "30,     false",
        "soon,   false",
        "-5m,    false",
    })
    void durationsArePositiveAndBounded(String text, boolean accepted) {
        AdminRequest r = request(Map.of("for", List.of(text)));
        if (accepted) {
            assertThat(r.duration("for", Duration.ofDays(365))).isPresent();
        } else {
            assertThatThrownBy(() -> r.duration("for", Duration.ofDays(365)))
                    .isInstanceOfSatisfying(AdminRequest.BadParameter.class, e -> assertThat(e.parameter())
                            .isEqualTo("for"));
        }
    }

    @Test
    void instantsAreRfc3339WithAnOffset() {
        assertThat(request(Map.of("until", List.of("2030-01-01T02:00:00+02:00")))
                        .instant("until"))
                .hasValue(Instant.parse("2030-01-01T00:00:00Z"));
        assertThat(request(Map.of("until", List.of("2030-01-01T00:00:00Z"))).instant("until"))
                .hasValue(Instant.parse("2030-01-01T00:00:00Z"));
        assertThatThrownBy(() ->
                        request(Map.of("until", List.of("2030-01-01 00:00"))).instant("until"))
                .isInstanceOf(AdminRequest.BadParameter.class)
                .hasMessageContaining("2030-01-01T00:00:00Z");
        assertThat(request(Map.of()).instant("until")).isEmpty();
    }

    private static AdminRequest request(Map<String, List<String>> parameters) {
        return new AdminRequest("ops", Map.of(), parameters);
    }

    private static Map<String, List<String>> parameters(String query, String type, String body) {
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                PATH + query,
                Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
        if (type != null) {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        }
        try {
            return AdminParameters.of(request, new QueryStringDecoder(request.uri()));
        } finally {
            request.release();
        }
    }
}
