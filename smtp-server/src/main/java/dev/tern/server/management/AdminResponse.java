package dev.tern.server.management;

import dev.tern.server.metrics.AdminMetrics;
import io.netty.handler.codec.http.HttpResponseStatus;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * What an admin route answers: a status, a JSON body (a map, list or record Jackson writes), and the
 * outcome it is counted and logged as.
 */
public record AdminResponse(HttpResponseStatus status, Object body, AdminMetrics.Outcome outcome, String summary) {

    public AdminResponse {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(outcome, "outcome");
    }

    /** 200 with {@code body}; {@code summary} is what the log line says happened. */
    public static AdminResponse ok(Object body, String summary) {
        return new AdminResponse(HttpResponseStatus.OK, body, AdminMetrics.Outcome.OK, summary);
    }

    public static AdminResponse notFound(String message) {
        return error(HttpResponseStatus.NOT_FOUND, "not_found", message, AdminMetrics.Outcome.NOT_FOUND);
    }

    /** 409: the request is understood but the thing's state does not allow it now. */
    public static AdminResponse refused(String message) {
        return error(HttpResponseStatus.CONFLICT, "refused", message, AdminMetrics.Outcome.REFUSED);
    }

    public static AdminResponse badParameter(String parameter, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", "bad_parameter");
        body.put("parameter", parameter);
        body.put("message", message);
        return new AdminResponse(HttpResponseStatus.BAD_REQUEST, body, AdminMetrics.Outcome.BAD_REQUEST, message);
    }

    public static AdminResponse error(
            HttpResponseStatus status, String code, String message, AdminMetrics.Outcome outcome) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return new AdminResponse(status, body, outcome, code);
    }
}
