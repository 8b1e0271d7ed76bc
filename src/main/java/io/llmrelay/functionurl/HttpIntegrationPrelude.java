package io.llmrelay.functionurl;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
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

    /** The prelude and its 8-NUL separator, ready to write before the first body byte. */
    public byte[] encode() {
        ObjectNode prelude = Json.object();
        prelude.put("statusCode", statusCode);
        ObjectNode h = prelude.putObject("headers");
        headers.forEach(h::put);
        cookies.forEach(prelude.putArray("cookies")::add);
        if (cookies.isEmpty()) {
            prelude.putArray("cookies");
        }
        byte[] json = Json.writeBytes(prelude);
        byte[] framed = new byte[json.length + SEPARATOR_LENGTH];
        System.arraycopy(json, 0, framed, 0, json.length);
        return framed; // the trailing SEPARATOR_LENGTH bytes are already zero
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
