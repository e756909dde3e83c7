package dev.tern.server.management;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.QueryStringDecoder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An admin request's parameters: those of its query and, when it has a body (at most the management
 * listener's 4 KiB), those of the body: one JSON object of strings, numbers or booleans (taken as their text;
 * {@code {"for":"30m","reason":"maintenance"}}), nothing after it, or a form ({@code application/x-www-form-urlencoded}, as
 * {@code curl -d for=30m} sends). A parameter given in both counts as given twice. Read on the event loop,
 * before the request is released; the body is small, so this is cheap.
 */
final class AdminParameters {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FORM = "application/x-www-form-urlencoded";

    private AdminParameters() {}

    /**
     * The parameters of {@code request}.
     *
     * @throws AdminRequest.BadParameter when the body is neither a flat JSON object nor a form, or the query
     *     or form is not valid percent-encoding, or a JSON member has no name
     */
    static Map<String, List<String>> of(FullHttpRequest request, QueryStringDecoder uri) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        decoded(uri, "query").forEach((k, v) -> out.put(k, new ArrayList<>(v)));
        String body = request.content().toString(StandardCharsets.UTF_8).strip();
        if (body.isEmpty()) {
            return out;
        }
        String type = request.headers().get(HttpHeaderNames.CONTENT_TYPE, "").toLowerCase(Locale.ROOT);
        if (!body.startsWith("{") && type.startsWith(FORM)) {
            decoded(new QueryStringDecoder(body, StandardCharsets.UTF_8, false), "body")
                    .forEach((k, v) ->
                            out.computeIfAbsent(k, x -> new ArrayList<>()).addAll(v));
            return out;
        }
        readJson(body, out);
        return out;
    }

    /**
     * Adds the members of a flat JSON object to {@code out}, a member named twice as a parameter given twice (refused
     * as one given in the query twice is); anything after the object, or a member that is an object or array, is
     * refused.
     */
    private static void readJson(String body, Map<String, List<String>> out) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                throw notAnObject();
            }
            for (JsonToken token = parser.nextToken(); token != JsonToken.END_OBJECT; token = parser.nextToken()) {
                String name = parser.currentName();
                if (name == null || name.isEmpty()) {
                    // {"": "30m"}: no route takes a parameter without a name.
                    throw new AdminRequest.BadParameter("body", "a parameter of the body has no name");
                }
                JsonToken value = parser.nextToken();
                if (value == JsonToken.VALUE_NULL) {
                    continue;
                }
                if (!value.isScalarValue()) {
                    throw new AdminRequest.BadParameter(name, name + " must be a string");
                }
                out.computeIfAbsent(name, x -> new ArrayList<>()).add(parser.getText());
            }
            if (parser.nextToken() != null) {
                throw notAnObject();
            }
        } catch (IOException e) {
            throw notAnObject();
        }
    }

    private static AdminRequest.BadParameter notAnObject() {
        return new AdminRequest.BadParameter(
                "body", "the body must be a JSON object such as {\"for\":\"30m\",\"reason\":\"maintenance\"}");
    }

    /**
     * The parameters of a query or form; a {@code %} not followed by two hex digits (RFC 3986 2.1) is
     * refused naming {@code where}, since the parameter it belongs to cannot be told for sure.
     */
    private static Map<String, List<String>> decoded(QueryStringDecoder decoder, String where) {
        try {
            return decoder.parameters();
        } catch (IllegalArgumentException e) {
            throw new AdminRequest.BadParameter(where, "the " + where + " has a % not followed by two hex digits");
        }
    }
}
