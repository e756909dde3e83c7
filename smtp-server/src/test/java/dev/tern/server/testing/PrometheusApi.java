package dev.tern.server.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A client of Prometheus' HTTP API (https://prometheus.io/docs/prometheus/latest/querying/api/). */
public final class PrometheusApi {
    private static final HttpClient HTTP =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;

    /** @param base where Prometheus answers, e.g. {@code http://127.0.0.1:9090} */
    public PrometheusApi(URI base) {
        this.base = base;
    }

    /** Where Prometheus answers. */
    public URI base() {
        return base;
    }

    /** One sample of an instant vector: its labels and its value. */
    public record Sample(Map<String, String> labels, double value) {}

    /** An instant query: {@code GET /api/v1/query}; the samples of the vector it returns. */
    public List<Sample> query(String promql) throws IOException, InterruptedException {
        JsonNode data = get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        if (!data.path("resultType").asText().equals("vector")) {
            throw new IllegalStateException(promql + " is not an instant vector: " + data);
        }
        List<Sample> samples = new ArrayList<>();
        for (JsonNode result : data.path("result")) {
            Map<String, String> labels = new LinkedHashMap<>();
            result.path("metric")
                    .properties()
                    .forEach(e -> labels.put(e.getKey(), e.getValue().asText()));
            samples.add(new Sample(
                    labels, Double.parseDouble(result.path("value").path(1).asText())));
        }
        return samples;
    }

    /** The sum of the samples {@code promql} returns; 0 when it returns none. */
    public double sum(String promql) throws IOException, InterruptedException {
        return query(promql).stream().mapToDouble(Sample::value).sum();
    }

    /** The {@code data} of a successful answer to {@code GET path}, e.g. {@code /api/v1/rules}. */
    public JsonNode get(String path) throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(base.resolve(path))
                .timeout(Duration.ofSeconds(10))
                .build();
        HttpResponse<String> response = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        if (response.statusCode() != 200 || !body.path("status").asText().equals("success")) {
            throw new IllegalStateException("GET " + path + ": " + response.statusCode() + " " + response.body());
        }
        return body.path("data");
    }
}
