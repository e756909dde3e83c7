package dev.tern.server.it.delivery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** The admin API of a running Tern, through the JDK's HTTP client, with the token from its token file. */
final class AdminHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    /** An answer: status, JSON body (null when the body is not JSON) and the raw response. */
    record Answer(int status, JsonNode json, HttpResponse<String> response) {}

    private final InetSocketAddress address;
    private final String token;

    AdminHttp(InetSocketAddress address, String token) {
        this.address = address;
        this.token = token;
    }

    /** With the first token in Tern's own token file ({@code DATA-DIR/admin-token}). */
    static AdminHttp of(DeliveryFixture tern) {
        return new AdminHttp(
                tern.server().managementAddress(), tokenOf(tern.dataDir().resolve("admin-token")));
    }

    static String tokenOf(Path file) {
        try {
            String line = Files.readAllLines(file).get(0);
            return line.substring(line.indexOf(':') + 1);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    AdminHttp withToken(String other) {
        return new AdminHttp(address, other);
    }

    Answer get(String path) {
        return send("GET", path);
    }

    Answer post(String path) {
        return send("POST", path);
    }

    Answer delete(String path) {
        return send("DELETE", path);
    }

    /** A POST with {@code json} as its body. */
    Answer post(String path, String json) {
        return send("POST", path, json);
    }

    Answer send(String method, String path) {
        return send(method, path, null);
    }

    private Answer send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + address.getPort() + path))
                .timeout(Duration.ofSeconds(10))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        try {
            HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
            JsonNode json = null;
            if (r.headers().firstValue("Content-Type").orElse("").startsWith("application/json")) {
                json = JSON.readTree(r.body());
            }
            return new Answer(r.statusCode(), json, r);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
