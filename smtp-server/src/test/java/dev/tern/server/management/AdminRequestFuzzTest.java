package dev.tern.server.management;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.relay.queue.Deliverer;
import dev.tern.relay.queue.DestinationAdmin;
import dev.tern.relay.queue.DestinationSnapshot;
import dev.tern.relay.queue.QueueAdmin;
import dev.tern.relay.queue.QueueDrain;
import dev.tern.relay.queue.Suspension;
import dev.tern.server.config.ConfigValues;
import dev.tern.server.metrics.AdminMetrics;
import dev.tern.smtp.queue.QueueId;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/**
 * The admin API's reading of requests, from the {@link ManagementHandler} down (the path, {@link
 * AdminRouter}, {@link AdminParameters} on the query and a JSON or form body, the readers of {@link
 * AdminRequest} in the queue and destination routes), for any method, target, content type, body (up to
 * the listener's 4 KiB) and token: real {@link FullHttpRequest}s on an {@link EmbeddedChannel}, as the
 * HTTP codec hands them over. Every request gets one answer and the connection stays usable: 200, 401, 404,
 * 405, 409, or 400 that names a parameter the request carries (or its {@code body}, {@code query} or a path
 * placeholder), never a failure or a closed connection; the values the routes take are in their bounds and
 * read back the same when written the way Tern writes them ({@link ConfigValues#formatDuration}, {@link
 * Instant#toString}).
 */
class AdminRequestFuzzTest {
    private static final String TOKEN = "fuzz-token-0123456789abcdef";
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-22T10:00:00Z"), ZoneOffset.UTC);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<HttpMethod> METHODS = List.of(
            HttpMethod.GET,
            HttpMethod.POST,
            HttpMethod.DELETE,
            HttpMethod.PUT,
            HttpMethod.HEAD,
            HttpMethod.PATCH,
            HttpMethod.OPTIONS);
    private static final List<String> PATHS = List.of(
            "/admin/queue",
            "/admin/queue/",
            "/admin/queue/Q1",
            "/admin/queue/Q1/hold",
            "/admin/queue/flush",
            "/admin/destinations",
            "/admin/destinations/example.com",
            "/admin/destinations/example.com/suspend",
            "/admin/destinations/example.com/resume",
            "/metrics",
            "/health/ready");
    private static final List<String> TYPES = List.of(
            "application/json",
            "application/json; charset=utf-8",
            "application/x-www-form-urlencoded",
            "Application/X-WWW-Form-Urlencoded; charset=UTF-8",
            "text/plain");
    private static final Set<Integer> ANSWERS = Set.of(200, 400, 401, 404, 405, 409);
    private static final AdminTokens TOKENS = tokens();

    /** The admin API's log lines: each must stay one line, whatever the request carried. */
    private static final ListAppender<ILoggingEvent> LOGGED = capture();

    /** What the routes handed to the queue: only values the readers accepted get this far. */
    private static final List<Object> taken = new ArrayList<>();

    @FuzzTest(maxDuration = "30s")
    void answersEveryRequestNamingWhatIsWrong(FuzzedDataProvider data) {
        HttpMethod method = data.pickValue(METHODS);
        int auth = data.consumeInt(0, 3);
        String type = data.consumeBoolean() ? data.pickValue(TYPES) : data.consumeString(60);
        String target =
                data.consumeBoolean() ? data.pickValue(PATHS) + data.consumeString(300) : data.consumeString(300);
        byte[] body = data.consumeRemainingAsBytes();
        if (body.length > ManagementServer.MAX_REQUEST_CONTENT) {
            return; // the aggregator answers 413 before the handler sees it
        }
        // The HTTP codec splits the request line at white space and takes octets as ISO-8859-1 characters.
        String uri = target.codePoints()
                .filter(c -> c > ' ' && c != 0x7f)
                .collect(StringBuilder::new, (sb, c) -> sb.append((char) (c & 0xff)), StringBuilder::append)
                .toString();
        if (uri.isEmpty()) {
            return;
        }
        FullHttpRequest request;
        try {
            request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, method, uri, Unpooled.wrappedBuffer(body));
        } catch (IllegalArgumentException e) {
            // Netty refuses such a request target (C1 controls, say): the codec makes it a failed decode.
            return;
        }
        try {
            request.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
        } catch (IllegalArgumentException e) {
            // not a header value the codec would have decoded
        }
        switch (auth) {
            case 0 -> {}
            case 1 -> request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer not-the-token-at-all");
            default -> request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + TOKEN);
        }

        taken.clear();
        EmbeddedChannel channel = new EmbeddedChannel(handler());
        try {
            channel.writeInbound(request);
            FullHttpResponse response = answer(channel);
            try {
                int status = response.status().code();
                String text = response.content().toString(StandardCharsets.UTF_8);
                assertThat(ANSWERS).as("%s %s -> %s", method, uri, text).contains(status);
                assertThat(channel.isOpen())
                        .as("connection kept after %s", text)
                        .isTrue();
                if (method.equals(HttpMethod.HEAD)) {
                    // RFC 9110 9.3.2: the headers of the answer a GET would get, no content.
                    assertThat(text).isEmpty();
                    assertThat(response.headers().getInt(HttpHeaderNames.CONTENT_LENGTH))
                            .as("HEAD %s -> %s %s", uri, status, response.headers())
                            .isPositive();
                } else if (status == 400
                        && !response.headers().contains(HttpHeaderNames.CONTENT_TYPE, AdminHandler.JSON, true)) {
                    // Not a request of the admin API's: its path or the HTTP itself is malformed.
                    assertThat(text).startsWith("bad request");
                } else if (status == 400) {
                    JsonNode json = readJson(text);
                    assertThat(json.path("error").asText()).isEqualTo("bad_parameter");
                    assertThat(json.path("parameter").asText()).isNotEmpty();
                    assertThat(json.path("message").asText()).isNotEmpty();
                }
            } finally {
                response.release();
            }
            taken.forEach(AdminRequestFuzzTest::readsBack);
            loggedOnOneLine();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /**
     * Found by the fuzz target's first runs (though its log was not checked then): a change refused for a
     * bad value was logged with its summary, which quotes the value, line breaks and all, so a request could
     * write a log line of its choosing. A value with a line break is now refused before any reader quotes it.
     */
    @Test
    void aRefusalQuotingTheClientsValueIsLoggedOnOneLine() {
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/admin/destinations/example.com/suspend?for=1h%0D%0A2026-11-22%20INFO%20admin%20forged",
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + TOKEN);
        EmbeddedChannel channel = new EmbeddedChannel(handler());
        try {
            channel.writeInbound(request);
            FullHttpResponse response = answer(channel);
            assertThat(response.status().code()).isEqualTo(400);
            response.release();
            assertThat(LOGGED.list)
                    .map(ILoggingEvent::getFormattedMessage)
                    .anyMatch(line -> line.contains("for must not contain control characters"));
            loggedOnOneLine();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    @Test
    void aFlushForADomainNoRecipientCanHaveIsABadParameter() throws Exception {
        FullHttpRequest request = new DefaultFullHttpRequest(
                HttpVersion.HTTP_1_1,
                HttpMethod.POST,
                "/admin/queue/flush?domain=Example.COM%00",
                Unpooled.EMPTY_BUFFER);
        request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + TOKEN);
        taken.clear();
        EmbeddedChannel channel = new EmbeddedChannel(handler());
        try {
            channel.writeInbound(request);
            FullHttpResponse response = answer(channel);
            JsonNode body = JSON.readTree(response.content().toString(StandardCharsets.UTF_8));
            response.release();
            assertThat(response.status().code()).isEqualTo(400);
            assertThat(body.path("error").asText()).isEqualTo("bad_parameter");
            assertThat(body.path("parameter").asText()).isEqualTo("domain");
            assertThat(taken).isEmpty();
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    /** Authorization is one field (RFC 9110 11.6.2): sent twice, in either order, neither counts. */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void twoAuthorizationFieldsAreNoToken(boolean goodFirst) throws Exception {
        FullHttpRequest request =
                new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/admin/queue", Unpooled.EMPTY_BUFFER);
        request.headers()
                .add(HttpHeaderNames.AUTHORIZATION, "Bearer " + (goodFirst ? TOKEN : "not-the-token-at-all"))
                .add(HttpHeaderNames.AUTHORIZATION, "Bearer " + (goodFirst ? "not-the-token-at-all" : TOKEN));
        EmbeddedChannel channel = new EmbeddedChannel(handler());
        try {
            channel.writeInbound(request);
            FullHttpResponse response = answer(channel);
            response.release();
            assertThat(response.status().code()).isEqualTo(401);
        } finally {
            channel.finishAndReleaseAll();
        }
    }

    private static void loggedOnOneLine() {
        for (ILoggingEvent e : LOGGED.list) {
            assertThat(e.getFormattedMessage().chars())
                    .as("logged: %s", e.getFormattedMessage())
                    .allMatch(c -> c >= ' ' && c != 0x7f);
        }
        LOGGED.list.clear();
    }

    private static ListAppender<ILoggingEvent> capture() {
        ListAppender<ILoggingEvent> appender = new ListAppender<>();
        appender.start();
        Logger logger = (Logger) LoggerFactory.getLogger(AdminHandler.class);
        logger.setLevel(Level.INFO);
        logger.addAppender(appender);
        return appender;
    }

    /** A value a route took is in its bounds and, written as Tern writes it, is read back the same. */
    private static void readsBack(Object value) {
        switch (value) {
            case Duration d -> {
                assertThat(d).isPositive().isLessThanOrEqualTo(DestinationRoutes.MAX_SUSPENSION);
                AdminRequest again = request("for", ConfigValues.formatDuration(d));
                assertThat(again.duration("for", DestinationRoutes.MAX_SUSPENSION))
                        .hasValue(d);
            }
            case Instant i ->
                assertThat(request("until", i.toString()).instant("until")).hasValue(i);
            case QueueAdmin.Query q -> {
                assertThat(q.limit()).isBetween(1, QueueAdmin.MAX_PAGE);
                assertThat(q.offset()).isNotNegative();
                AdminRequest again = request("limit", Integer.toString(q.limit()));
                assertThat(again.integer("limit", 1, QueueAdmin.MAX_PAGE, 0)).isEqualTo(q.limit());
                assertThat(request("order", q.order().name().toLowerCase()).choice("order", QueueAdmin.Order.class))
                        .isEqualTo(q.order());
                if (q.state() != null) {
                    assertThat(request("state", q.state().toString()).choice("state", QueueAdmin.State.class))
                            .isEqualTo(q.state());
                }
                for (String text : new String[] {q.sender(), q.recipient(), q.domain()}) {
                    if (text != null) {
                        assertThat(text)
                                .isNotBlank()
                                .hasSizeLessThanOrEqualTo(320)
                                .isEqualTo(text.strip());
                    }
                }
            }
            case QueueId id -> assertThat(new QueueId(id.value())).isEqualTo(id);
            case String name -> assertThat(DestinationAdmin.name(name)).isEqualTo(name);
            default -> throw new AssertionError("unexpected " + value);
        }
    }

    private static AdminRequest request(String name, String value) {
        return new AdminRequest("ops", Map.of(), Map.of(name, List.of(value)));
    }

    private static JsonNode readJson(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /** The one response; the token check and the routes complete on other threads, then on the channel's loop. */
    private static FullHttpResponse answer(EmbeddedChannel channel) {
        FullHttpResponse[] out = new FullHttpResponse[1];
        await().pollInSameThread()
                .pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(1))
                .atMost(Duration.ofSeconds(10))
                .until(() -> {
                    channel.runPendingTasks();
                    out[0] = channel.readOutbound();
                    return out[0] != null || !channel.isOpen();
                });
        assertThat(out[0]).as("an answer before the connection closes").isNotNull();
        assertThat((Object) channel.readOutbound()).as("one answer").isNull();
        return out[0];
    }

    private static ManagementHandler handler() {
        AdminRouter router = new AdminRouter(AdminMetrics.NONE);
        QueueRoutes.addTo(router, new TakingQueue(), CLOCK);
        DestinationRoutes.addTo(router, new TakingDestinations(), CLOCK);
        return new ManagementHandler(
                () -> "x_total 1.0\n", new Readiness(List.of()), new AdminHandler(TOKENS, router, AdminMetrics.NONE));
    }

    private static AdminTokens tokens() {
        try {
            Path file = Files.createTempFile("tern-admin-tokens", ".txt");
            file.toFile().deleteOnExit();
            Files.writeString(file, "ops:" + TOKEN + "\n");
            return AdminTokens.open(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A queue that records what it was asked for and knows no message. */
    private static final class TakingQueue implements QueueAdmin {
        @Override
        public CompletionStage<Page> list(Query query) {
            taken.add(query);
            return CompletableFuture.completedFuture(new Page(0, query.offset(), query.limit(), List.of()));
        }

        @Override
        public CompletionStage<Result<Detail>> show(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Result<Action>> hold(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Result<Action>> release(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Result<Action>> delete(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Result<Action>> bounce(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Result<Action>> flush(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Result<Action>> requeue(QueueId id) {
            return none(id);
        }

        @Override
        public CompletionStage<Action> flushAll(String domain) {
            if (domain != null) {
                taken.add(DestinationAdmin.name(domain));
            }
            return CompletableFuture.completedFuture(new Action("flushed", 0, 0));
        }

        @Override
        public CompletionStage<Action> requeueAll() {
            return CompletableFuture.completedFuture(new Action("requeued", 0, 0));
        }

        @Override
        public CompletionStage<Result<QueueDrain.Progress>> drain(String name, Deliverer target) {
            return CompletableFuture.completedFuture(new Result.Refused<>("no drain here"));
        }

        @Override
        public Optional<QueueDrain.Progress> drainProgress() {
            return Optional.empty();
        }

        private static <T> CompletionStage<Result<T>> none(QueueId id) {
            taken.add(id);
            return CompletableFuture.completedFuture(new Result.NotFound<>(id));
        }
    }

    /** Destinations that record what they were asked for; none is known, so an action answers 404. */
    private static final class TakingDestinations implements DestinationAdmin {
        @Override
        public CompletionStage<List<DestinationSnapshot>> destinations() {
            return CompletableFuture.completedFuture(List.of());
        }

        @Override
        public CompletionStage<Optional<DestinationSnapshot>> destination(String destination) {
            taken.add(destination);
            return CompletableFuture.completedFuture(Optional.empty());
        }

        @Override
        public CompletionStage<Suspension> suspend(String destination, Optional<Duration> expiry, String reason) {
            taken.add(destination);
            expiry.ifPresent(taken::add);
            Instant now = CLOCK.instant();
            return CompletableFuture.completedFuture(new Suspension(now, expiry.map(now::plus), reason, true));
        }

        @Override
        public CompletionStage<Suspension> suspendUntil(String destination, Instant until, String reason) {
            taken.add(destination);
            taken.add(until);
            Instant now = CLOCK.instant();
            if (!until.isAfter(now)) {
                // As the queue does: an end already past is refused.
                return CompletableFuture.failedFuture(new IllegalArgumentException(until + " is past"));
            }
            return CompletableFuture.completedFuture(new Suspension(now, Optional.of(until), reason, true));
        }

        @Override
        public CompletionStage<Boolean> resume(String destination) {
            taken.add(destination);
            return CompletableFuture.completedFuture(false);
        }
    }
}
