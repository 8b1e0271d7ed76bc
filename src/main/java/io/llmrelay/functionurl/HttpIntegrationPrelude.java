package io.llmrelay.functionurl;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The head of a streamed Function URL response: a JSON prelude ({@code statusCode},
 * {@code headers}, {@code cookies}), then 8 NUL bytes, then the body. Lambda reads this framing
 * when the response's content type is {@link #CONTENT_TYPE}.
 */
public record HttpIntegrationPrelude(int statusCode, Map<String, String> headers, List<String> cookies) {
    public static final String CONTENT_TYPE = "application/vnd.awslambda.http-integration-response";
    public static final int SEPARATOR_LENGTH = 8;
    private static final int MAX_PRELUDE_BYTES = 64 * 1024;
    private static final byte[] SEPARATOR = new byte[SEPARATOR_LENGTH];

    /**
     * The prelude and its 8-NUL separator, ready to write before the first body byte. Written with
     * the streaming generator (no tree): it is on every response's path to its first byte.
     */
    public byte[] encode() {
        ByteArrayOutputStream out = new ByteArrayOutputStream(128 + 64 * headers.size());
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberField("statusCode", statusCode);
            g.writeObjectFieldStart("headers");
            for (Map.Entry<String, String> h : headers.entrySet()) {
                g.writeStringField(h.getKey(), h.getValue());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("cookies");
            for (String cookie : cookies) {
                g.writeString(cookie);
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a prelude", e); // into memory: cannot happen
        }
        out.write(SEPARATOR, 0, SEPARATOR_LENGTH);
        return out.toByteArray();
    }

    /** Reads a prelude and its separator from a response stream, leaving {@code in} at the body. */
    public static HttpIntegrationPrelude read(InputStream in) throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream(256);
        int zeros = 0;
        while (zeros < SEPARATOR_LENGTH) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("the response ended inside its prelude");
            }
            if (b == 0) {
                zeros++;
                continue;
            }
            if (zeros > 0) {
                throw new IOException("the prelude separator must be " + SEPARATOR_LENGTH + " NUL bytes, found " + zeros);
            }
            if (json.size() >= MAX_PRELUDE_BYTES) {
                throw new IOException("the prelude is longer than " + MAX_PRELUDE_BYTES + " bytes");
            }
            json.write(b);
        }
        JsonNode node = Json.MAPPER.readTree(json.toByteArray());
        if (node == null || !node.path("statusCode").canConvertToInt()) {
            throw new IOException("the prelude has no integer statusCode");
        }
        Map<String, String> headers = new LinkedHashMap<>();
        node.path("headers").properties().forEach(e -> headers.put(e.getKey(), e.getValue().asText()));
        List<String> cookies = new ArrayList<>();
        node.path("cookies").forEach(c -> cookies.add(c.asText()));
        return new HttpIntegrationPrelude(node.path("statusCode").asInt(), headers, cookies);
    }
}
