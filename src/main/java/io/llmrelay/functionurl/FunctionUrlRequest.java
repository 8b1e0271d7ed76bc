package io.llmrelay.functionurl;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An HTTP request as a Lambda Function URL delivers it (payload format 2.0): header names are
 * lower-case, repeated headers are comma-joined, a binary body arrives base64-encoded.
 */
public record FunctionUrlRequest(
        String method,
        String rawPath,
        String rawQueryString,
        Map<String, String> headers,
        Map<String, String> queryStringParameters,
        List<String> cookies,
        byte[] body,
        String requestId,
        String sourceIp) {

    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    public String bodyText() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Parses a Function URL event; anything that is not one is an {@link InvalidEventException}. */
    public static FunctionUrlRequest fromEvent(byte[] eventJson) throws InvalidEventException {
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(eventJson);
        } catch (IOException e) {
            throw new InvalidEventException("the invocation event is not JSON");
        }
        if (event == null || !event.isObject()) {
            throw new InvalidEventException("the invocation event is not a JSON object");
        }
        JsonNode http = event.path("requestContext").path("http");
        String method = http.path("method").asText("");
        if (method.isEmpty()) {
            throw new InvalidEventException(
                    "the invocation event is not a Function URL event (requestContext.http.method is missing)");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        event.path("headers").properties().forEach(
                h -> headers.merge(h.getKey().toLowerCase(Locale.ROOT), h.getValue().asText(), (a, b) -> a + "," + b));
        Map<String, String> query = new LinkedHashMap<>();
        event.path("queryStringParameters").properties().forEach(q -> query.put(q.getKey(), q.getValue().asText()));
        List<String> cookies = new ArrayList<>();
        event.path("cookies").forEach(c -> cookies.add(c.asText()));
        byte[] body;
        JsonNode bodyNode = event.path("body");
        if (bodyNode.isNull() || bodyNode.isMissingNode()) {
            body = new byte[0];
        } else if (event.path("isBase64Encoded").asBoolean(false)) {
            try {
                body = Base64.getDecoder().decode(bodyNode.asText().trim());
            } catch (IllegalArgumentException e) {
                throw new InvalidEventException("the event says isBase64Encoded but its body is not base64");
            }
        } else {
            body = bodyNode.asText().getBytes(StandardCharsets.UTF_8);
        }
        String rawPath = event.path("rawPath").asText(http.path("path").asText("/"));
        return new FunctionUrlRequest(
                method.toUpperCase(Locale.ROOT),
                rawPath.isEmpty() ? "/" : rawPath,
                event.path("rawQueryString").asText(""),
                Collections.unmodifiableMap(headers),
                Collections.unmodifiableMap(query),
                List.copyOf(cookies),
                body,
                event.path("requestContext").path("requestId").asText(""),
                http.path("sourceIp").asText(""));
    }

    /** The event could not be read as a Function URL request. */
    public static final class InvalidEventException extends Exception {
        public InvalidEventException(String message) {
            super(message);
        }
    }
}
