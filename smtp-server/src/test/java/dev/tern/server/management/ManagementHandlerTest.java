package dev.tern.server.management;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The management routes on the real HTTP codec, bytes in and bytes out. */
class ManagementHandlerTest {
    private final AtomicBoolean spoolReady = new AtomicBoolean(true);
    private final AtomicBoolean dnsReady = new AtomicBoolean(true);
    private final Readiness readiness = new Readiness(
            List.of(new Readiness.Check("spool", spoolReady::get), new Readiness.Check("dns", dnsReady::get)));
    private final EmbeddedChannel server = new EmbeddedChannel(ManagementServer.initializer(
            new ManagementHandler(() -> "# TYPE x counter\nx_total 1.0\n", readiness, null),
            new ManagementLimits.Shared()));

    @AfterEach
    void finish() {
        assertThat(server.finishAndReleaseAll()).isFalse();
    }

    @ParameterizedTest
    @CsvSource({
        // method, path,                 status, body
        "GET,      /metrics,              200,    x_total 1.0",
        "GET,      /metrics?name=x,       200,    x_total 1.0",
        "GET,      /health/live,          200,    ok",
        "GET,      /health/ready,         200,    ok",
        "GET,      /,                     404,    not found",
        "GET,      /metrics/extra,        404,    not found",
        "POST,     /metrics,              405,    method not allowed",
        "DELETE,   /health/ready,         405,    method not allowed",
        "POST,     /elsewhere,            404,    not found",
    })
    void routesRequests(String method, String path, int status, String body) {
        FullHttpResponse response = exchange(HttpMethod.valueOf(method), path);
        try {
            assertThat(response.status().code()).isEqualTo(status);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).contains(body);
            if (status == 405) {
                assertThat(response.headers().get(HttpHeaderNames.ALLOW)).isEqualTo("GET, HEAD");
            }
        } finally {
            response.release();
        }
    }

    @Test
    void servesMetricsInThePrometheusTextFormat() {
        FullHttpResponse response = exchange(HttpMethod.GET, "/metrics");
        try {
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE))
                    .isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                    .isEqualTo(response.content().readableBytes());
        } finally {
            response.release();
        }
    }

    @Test
    void namesWhatIsNotReadyIn503() {
        spoolReady.set(false);
        dnsReady.set(false);
        FullHttpResponse response = exchange(HttpMethod.GET, "/health/ready");
        try {
            assertThat(response.status().code()).isEqualTo(503);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("not ready: spool, dns\n");
        } finally {
            response.release();
        }
    }

    /** Found by fuzzing (corpus {@code path-with-bad-escape}): the connection closed without an answer. */
    @ParameterizedTest
    @CsvSource({"/admin/queue/%G1", "/metrics%", "/health/%zz"})
    void aMalformedPercentEscapeInThePathIsABadRequest(String path) {
        FullHttpResponse response = exchange(HttpMethod.GET, path);
        try {
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(response.content().toString(StandardCharsets.UTF_8)).isEqualTo("bad request: malformed path\n");
        } finally {
            response.release();
        }
        assertThat(server.isOpen()).isTrue();
    }

    @Test
    void answersHeadWithoutContent() {
        FullHttpResponse response = exchange(HttpMethod.HEAD, "/health/live");
        try {
            assertThat(response.status().code()).isEqualTo(200);
            assertThat(response.content().readableBytes()).isZero();
            assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                    .isEqualTo(3);
        } finally {
            response.release();
        }
    }

    @Test
    void servesSeveralRequestsOnOneKeptAliveConnection() {
        for (int i = 0; i < 3; i++) {
            FullHttpResponse response = exchange(HttpMethod.GET, "/health/live");
            assertThat(response.status().code()).isEqualTo(200);
            response.release();
        }
        assertThat(server.isOpen()).isTrue();
    }

    @ParameterizedTest(name = "Expect: 100-continue {0}")
    @ValueSource(booleans = {false, true})
    void refusesAnOversizedRequest(boolean expectContinue) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.GET,
                "/metrics",
                Unpooled.wrappedBuffer(new byte[ManagementServer.MAX_REQUEST_CONTENT + 1]));
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, ManagementServer.MAX_REQUEST_CONTENT + 1);
        if (expectContinue) {
            request.headers().set(HttpHeaderNames.EXPECT, "100-continue");
        }
        FullHttpResponse response = roundTrip(request, HttpMethod.GET);
        try {
            assertThat(response.status().code()).isEqualTo(413);
            assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE)).isEqualTo(AdminHandler.JSON);
            assertThat(response.content().toString(StandardCharsets.UTF_8))
                    .isEqualTo("{\"error\":\"too_large\",\"message\":\"a request's content is at most 4096"
                            + " octets\"}");
            assertThat(server.isActive())
                    .as("closed: the rest of the content is never read")
                    .isFalse();
        } finally {
            response.release();
        }
    }

    private FullHttpResponse exchange(HttpMethod method, String path) {
        DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, path);
        request.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, 0);
        return roundTrip(request, method);
    }

    /** Encodes the request with a client codec, feeds the bytes to the server, decodes its answer. */
    private FullHttpResponse roundTrip(DefaultFullHttpRequest request, HttpMethod method) {
        EmbeddedChannel client = new EmbeddedChannel(new HttpClientCodec(), new HttpObjectAggregator(1 << 20));
        try {
            assertThat(client.writeOutbound(request)).isTrue();
            ByteBuf bytes;
            while ((bytes = client.readOutbound()) != null) {
                if (server.isOpen()) {
                    server.writeInbound(bytes);
                } else {
                    bytes.release(); // closed after a 413: the rest is never read
                }
            }
            ByteBuf answer;
            while ((answer = server.readOutbound()) != null) {
                client.writeInbound(answer);
            }
            FullHttpResponse response = client.readInbound();
            assertThat(response)
                    .as("a response to " + method + " " + request.uri())
                    .isNotNull();
            return response;
        } finally {
            client.finishAndReleaseAll();
        }
    }
}
