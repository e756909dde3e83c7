package dev.tern.server.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The command line's client of a running Tern's admin API (docs/operations.md): one request, one JSON
 * answer, with the bearer token. It runs on no event loop, so it uses the JDK's blocking
 * {@link HttpURLConnection} (in {@code java.base}: the image's trimmed Java runtime has it).
 * A transport failure or a refused token is an {@link AdminException} whose message is the one line
 * the operator sees.
 */
final class AdminClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    private static final int MAX_ANSWER = 64 << 20;

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

    AdminClient(URI server, String token) {
        this.server = server;
        this.token = token;
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
        int status;
        String body;
        HttpURLConnection connection = null;
        try {
            connection =
                    (HttpURLConnection) server.resolve(pathAndQuery).toURL().openConnection();
            connection.setRequestMethod(method);
            connection.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
            connection.setReadTimeout((int) REQUEST_TIMEOUT.toMillis());
            connection.setInstanceFollowRedirects(false);
            connection.setUseCaches(false);
            connection.setRequestProperty("Authorization", "Bearer " + token);
            connection.setRequestProperty("Accept", "application/json");
            if (method.equals("POST")) {
                // An empty body, said so: some servers want a length on every POST.
                connection.setDoOutput(true);
                connection.setFixedLengthStreamingMode(0);
                connection.getOutputStream().close();
            }
            status = connection.getResponseCode();
            InputStream in = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
            body = in == null ? "" : readBounded(in);
        } catch (IOException e) {
            throw new AdminException("cannot reach Tern at " + base() + ": " + reason(e), ExitCodes.UNREACHABLE);
        } finally {
            if (connection != null) {
                connection.disconnect();
            }
        }
        if (status == 401) {
            throw new AdminException("the admin token was refused (401)", ExitCodes.REFUSED);
        }
        JsonNode json;
        try {
            json = JSON.readTree(body);
        } catch (IOException e) {
            json = null;
        }
        if (json == null || json.isMissingNode()) {
            throw new AdminException(
                    base() + " answered HTTP " + status + " without JSON: is it Tern's management listener?",
                    ExitCodes.UNREACHABLE);
        }
        return new Reply(status, json);
    }

    /** The answer's text, at most {@value #MAX_ANSWER} octets: a page of 1000 messages fits many times. */
    private static String readBounded(InputStream in) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_ANSWER + 1);
            if (bytes.length > MAX_ANSWER) {
                throw new IOException("the answer is larger than " + MAX_ANSWER + " octets");
            }
            return new String(bytes, StandardCharsets.UTF_8);
        }
    }

    /** {@code http://host:port} without a trailing slash, as the operator wrote it. */
    private String base() {
        String s = server.toString();
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /** The reason in words, not exception classes. */
    private static String reason(IOException e) {
        if (e instanceof ConnectException) {
            return "connection refused";
        }
        if (e instanceof SocketTimeoutException) {
            return e.getMessage() != null && e.getMessage().contains("connect")
                    ? "connection timed out"
                    : "no answer within " + REQUEST_TIMEOUT.toSeconds() + "s";
        }
        if (e instanceof UnknownHostException) {
            return "unknown host";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** {@code text} as one path segment: percent-encoded, so a slash or a space stays inside it. */
    static String segment(String text) {
        return URLEncoder.encode(text, StandardCharsets.UTF_8).replace("+", "%20");
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
