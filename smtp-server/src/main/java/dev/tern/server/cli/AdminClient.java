package dev.tern.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The command line's client of a running Tern's admin API (docs/operations.md): one request, one JSON
 * answer, with the bearer token. It runs on no event loop, so it uses the JDK's blocking HTTP client.
 * A transport failure or a refused token is an {@link AdminException} whose message is the one line
 * the operator sees.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

    /** An answer from Tern: its status and JSON body. */
    record Reply(int status, JsonNode json) {
        boolean ok() {
            return status / 100 == 2;
        }

        /** The error's message, as the API words it. */
        String error() {
            JsonNode m = json == null ? null : json.get("message");
            return m == null ? "HTTP " + status : m.asText();
        }
    }

    /** Tern could not be asked, or refused to answer: the message is one line for the operator. */
    static final class AdminException extends Exception {
        final int exitCode;

        AdminException(String message, int exitCode) {
            super(message, null, false, false);
            this.exitCode = exitCode;
        }
    }

    private final URI server;
    private final String token;
    private final HttpClient http;

    AdminClient(URI server, String token) {
        this.server = server;
        this.token = token;
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    URI server() {
        return server;
    }

    Reply get(String path, Map<String, String> query) throws AdminException {
        return send("GET", path + queryString(query));
    }

    Reply post(String path, Map<String, String> query) throws AdminException {
        return send("POST", path + queryString(query));
    }

    Reply delete(String path) throws AdminException {
        return send("DELETE", path);
    }

    private Reply send(String method, String pathAndQuery) throws AdminException {
        HttpRequest request = HttpRequest.newBuilder(server.resolve(pathAndQuery))
                .timeout(REQUEST_TIMEOUT)
                .header("Authorization", "Bearer " + token)
                .header("Accept", "application/json")
                .method(method, HttpRequest.BodyPublishers.noBody())
                .build();
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new AdminException("cannot reach Tern at " + base() + ": " + reason(e), ExitCodes.UNREACHABLE);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AdminException("interrupted", ExitCodes.UNREACHABLE);
        }
        if (response.statusCode() == 401) {
            throw new AdminException("the admin token was refused (401)", ExitCodes.REFUSED);
        }
        JsonNode json;
        try {
            json = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new AdminException(
                    base() + " answered HTTP " + response.statusCode()
                            + " without JSON: is it Tern's management listener?",
                    ExitCodes.UNREACHABLE);
        }
        return new Reply(response.statusCode(), json);
    }

    /** {@code http://host:port} without a trailing slash, as the operator wrote it. */
    private String base() {
        String s = server.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The reason in words, not exception classes. */
    private static String reason(IOException e) {
        Throwable cause = e;
        while (cause.getCause() != null && cause.getMessage() == null) {
            cause = cause.getCause();
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connection timed out";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within " + REQUEST_TIMEOUT.toSeconds() + "s";
        }
        if (e instanceof ConnectException || cause instanceof ConnectException) {
            return "connection refused";
        }
        if (cause instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }

    static Map<String, String> query() {
        return new LinkedHashMap<>();
    }

    private static String queryString(Map<String, String> query) {
        StringJoiner joined = new StringJoiner("&", "?", "").setEmptyValue("");
        query.forEach((k, v) -> {
            if (v != null) {
                joined.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return joined.toString();
    }
}
