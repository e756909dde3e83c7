package dev.tern.server.management;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tern.server.metrics.AdminMetrics;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API ({@code /admin/*}, docs/operations.md): the bearer token is checked (RFC 6750, off the
 * event loop), the {@link AdminRouter} finds the action, the action's stage completes elsewhere (the
 * queue's thread), and the JSON answer is written back on the channel's own event loop, which never
 * waits. Every change is logged as {@code admin NAME ACTION TARGET -> OUTCOME}; every request is
 * counted in {@code tern.admin.actions}.
 */
public final class AdminHandler {
    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);
    static final String JSON = "application/json; charset=utf-8";
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final int MAX_LOGGED = 100;
    /** A summary may quote the operator's reason for a suspension, or a refused value. */
    private static final int MAX_SUMMARY = 1000;

    private final AdminTokens tokens;
    private final AdminRouter router;
    private final AdminMetrics metrics;

    public AdminHandler(AdminTokens tokens, AdminRouter router, AdminMetrics metrics) {
        this.tokens = tokens;
        this.router = router;
        this.metrics = metrics;
        metrics.register(AdminMetrics.UNKNOWN);
    }

    /** Answers {@code request}, now or once its work completed; called on the channel's event loop. */
    void handle(ChannelHandlerContext ctx, FullHttpRequest request, QueryStringDecoder uri) {
        HttpExchange exchange = HttpExchange.of(request);
        HttpMethod method = request.method();
        AdminRouter.Match match = router.match(method, uri.path());
        String action = match instanceof AdminRouter.Match.Found f ? f.route().action() : AdminMetrics.UNKNOWN;
        // A singleton field (RFC 9110 11.6.2): sent twice, neither is taken, rather than whichever comes first.
        List<String> authorizations = request.headers().getAll(HttpHeaderNames.AUTHORIZATION);
        String authorization = authorizations.size() == 1 ? authorizations.getFirst() : null;
        // Read now, before the request is released; a bad body is answered only once the token is good.
        Parameters parameters;
        try {
            parameters = new Parameters(AdminParameters.of(request, uri), null);
        } catch (AdminRequest.BadParameter e) {
            parameters = new Parameters(Map.of(), e);
        }
        Parameters given = parameters;
        tokens.check(authorization)
                .whenCompleteAsync(
                        (name, e) -> {
                            if (e != null) {
                                write(
                                        ctx,
                                        exchange,
                                        action,
                                        AdminResponse.error(
                                                HttpResponseStatus.SERVICE_UNAVAILABLE,
                                                "unavailable",
                                                "too many admin requests at once; try again",
                                                AdminMetrics.Outcome.FAILED));
                            } else {
                                authorized(ctx, exchange, match, action, uri, given, name);
                            }
                        },
                        ctx.channel().eventLoop());
    }

    private void authorized(
            ChannelHandlerContext ctx,
            HttpExchange exchange,
            AdminRouter.Match match,
            String action,
            QueryStringDecoder uri,
            Parameters parameters,
            Optional<String> operator) {
        if (operator.isEmpty()) {
            log.info("admin - {} {} -> unauthorized", action, printable(uri.path()));
            write(
                    ctx,
                    exchange,
                    action,
                    AdminResponse.error(
                            HttpResponseStatus.UNAUTHORIZED,
                            "unauthorized",
                            "a valid admin token is needed: Authorization: Bearer TOKEN (see docs/operations.md)",
                            AdminMetrics.Outcome.UNAUTHORIZED));
            return;
        }
        switch (match) {
            case AdminRouter.Match.None n ->
                write(
                        ctx,
                        exchange,
                        action,
                        AdminResponse.error(
                                HttpResponseStatus.NOT_FOUND,
                                "not_found",
                                "no admin resource " + uri.path(),
                                AdminMetrics.Outcome.NOT_FOUND));
            case AdminRouter.Match.WrongMethod w -> {
                String allowed = w.allowed().stream().map(HttpMethod::name).collect(Collectors.joining(", "));
                AdminResponse r = AdminResponse.error(
                        HttpResponseStatus.METHOD_NOT_ALLOWED,
                        "method_not_allowed",
                        uri.path() + " allows " + allowed,
                        AdminMetrics.Outcome.BAD_REQUEST);
                write(ctx, exchange, action, r, allowed);
            }
            case AdminRouter.Match.Found f -> run(ctx, exchange, f, parameters, operator.get());
        }
    }

    private void run(
            ChannelHandlerContext ctx,
            HttpExchange exchange,
            AdminRouter.Match.Found found,
            Parameters parameters,
            String operator) {
        AdminRouter.Route route = found.route();
        AdminRequest request = new AdminRequest(operator, found.pathParameters(), parameters.values());
        String target = target(request);
        CompletionStage<AdminResponse> stage;
        try {
            if (parameters.error() != null) {
                throw parameters.error();
            }
            for (String name : parameters.values().keySet()) {
                if (!route.parameters().contains(name)) {
                    throw new AdminRequest.BadParameter(name, "unknown parameter " + name);
                }
            }
            stage = route.operation().run(request);
        } catch (AdminRequest.BadParameter e) {
            stage = CompletableFuture.completedFuture(AdminResponse.badParameter(e.parameter(), e.getMessage()));
        } catch (RuntimeException e) {
            stage = CompletableFuture.failedFuture(e);
        }
        stage.whenCompleteAsync(
                (response, e) -> {
                    AdminResponse r = response != null ? response : failed(route.action(), target, e);
                    if (route.change() || r.outcome() == AdminMetrics.Outcome.FAILED) {
                        log.info(
                                "admin {} {} {} -> {}",
                                operator,
                                route.action(),
                                target,
                                printable(r.summary(), ' ', MAX_SUMMARY));
                    }
                    write(ctx, exchange, route.action(), r);
                },
                ctx.channel().eventLoop());
    }

    /** The request's parameters, or why its body could not be read. */
    private record Parameters(Map<String, List<String>> values, AdminRequest.BadParameter error) {}

    private static AdminResponse failed(String action, String target, Throwable e) {
        log.warn("admin {} {}: {}", action, target, e.toString());
        return AdminResponse.error(
                HttpResponseStatus.SERVICE_UNAVAILABLE,
                "unavailable",
                "the queue could not answer: "
                        + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()),
                AdminMetrics.Outcome.FAILED);
    }

    /** What a change acted on, for its log line: the id, a domain, or everything. */
    private static String target(AdminRequest r) {
        if (!r.path().isEmpty()) {
            return printable(String.join(",", r.path().values()));
        }
        List<String> domain = r.query().get("domain");
        return domain == null || domain.isEmpty() ? "all" : printable("domain=" + domain.get(0));
    }

    /** The client's text, short and on one line: no line breaks or controls reach the log. */
    private static String printable(String text) {
        return printable(text, '!', MAX_LOGGED);
    }

    /**
     * {@code text} cut to {@code max} characters, each outside {@code lowest}..{@code ~} written as
     * {@code ?}: a summary (lowest {@code ' '}) may quote the client's text, as in "got '...'", and so may
     * carry a line break that would forge a log line.
     */
    private static String printable(String text, char lowest, int max) {
        StringBuilder safe = new StringBuilder(Math.min(text.length(), max));
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            safe.append(c >= lowest && c < 0x7f ? c : '?');
        }
        return safe.toString();
    }

    private void write(ChannelHandlerContext ctx, HttpExchange exchange, String action, AdminResponse r) {
        write(ctx, exchange, action, r, null);
    }

    private void write(ChannelHandlerContext ctx, HttpExchange exchange, String action, AdminResponse r, String allow) {
        metrics.record(action, r.outcome());
        String body;
        try {
            body = MAPPER.writeValueAsString(r.body()) + "\n";
        } catch (JsonProcessingException e) {
            body = "{\"error\":\"internal\",\"message\":\"the answer could not be written\"}\n";
        }
        FullHttpResponse response = exchange.response(ctx, r.status(), JSON, body);
        if (r.status().equals(HttpResponseStatus.UNAUTHORIZED)) {
            // RFC 6750 3: the challenge names the scheme.
            response.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"tern\"");
        }
        if (allow != null) {
            response.headers().set(HttpHeaderNames.ALLOW, allow);
        }
        response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
        exchange.send(ctx, response, true);
    }
}
