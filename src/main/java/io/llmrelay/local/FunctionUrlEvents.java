package io.llmrelay.local;

import com.fasterxml.jackson.core.JsonGenerator;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URLDecoder;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Builds the event a Lambda Function URL would deliver for an HTTP request (payload format 2.0):
 * lower-case header names with repeated values comma-joined, cookies moved out of the headers,
 * a text body as text and anything else base64-encoded.
 */
final class FunctionUrlEvents {
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("dd/MMM/yyyy:HH:mm:ss Z", Locale.ENGLISH).withZone(ZoneOffset.UTC);

    private FunctionUrlEvents() {}

    /**
     * @param headers header names (any case) to their values in arrival order
     *
     * <p>Written with Jackson's streaming generator, not a tree built and then serialised (the work
     * twice): this runs on every request's path to its first byte.
     */
    static byte[] build(String method, String rawPath, String rawQuery, List<Map.Entry<String, String>> headers,
            byte[] body, String sourceIp, String host) {
        Instant now = Instant.now();
        Map<String, String> joined = new LinkedHashMap<>();
        List<String> cookies = new ArrayList<>();
        for (Map.Entry<String, String> h : headers) {
            String name = h.getKey().toLowerCase(Locale.ROOT);
            if (name.equals("cookie")) {
                for (String cookie : h.getValue().split(";")) {
                    if (!cookie.isBlank()) {
                        cookies.add(cookie.trim());
                    }
                }
                continue;
            }
            joined.merge(name, h.getValue(), (a, b) -> a + "," + b);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(1024 + body.length + body.length / 3);
        try (JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("version", "2.0");
            g.writeStringField("routeKey", "$default");
            g.writeStringField("rawPath", rawPath);
            g.writeStringField("rawQueryString", rawQuery == null ? "" : rawQuery);
            if (!cookies.isEmpty()) {
                g.writeArrayFieldStart("cookies");
                for (String cookie : cookies) {
                    g.writeString(cookie);
                }
                g.writeEndArray();
            }
            writeObject(g, "headers", joined);
            if (rawQuery != null && !rawQuery.isEmpty()) {
                writeObject(g, "queryStringParameters", queryParameters(rawQuery));
            }
            writeRequestContext(g, method, rawPath, sourceIp, host, joined.getOrDefault("user-agent", ""), now);
            writeBody(g, joined.get("content-type"), body);
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write a Function URL event", e); // into memory: cannot happen
        }
        return out.toByteArray();
    }

    private static void writeObject(JsonGenerator g, String name, Map<String, String> fields) throws IOException {
        g.writeObjectFieldStart(name);
        for (Map.Entry<String, String> field : fields.entrySet()) {
            g.writeStringField(field.getKey(), field.getValue());
        }
        g.writeEndObject();
    }

    /** The query's parameters, decoded; a repeated one's values comma-joined, as a Function URL does. */
    private static Map<String, String> queryParameters(String rawQuery) {
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String key = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            query.merge(key, value, (a, b) -> a + "," + b);
        }
        return query;
    }

    private static void writeRequestContext(JsonGenerator g, String method, String rawPath, String sourceIp,
            String host, String userAgent, Instant now) throws IOException {
        g.writeObjectFieldStart("requestContext");
        g.writeStringField("accountId", "anonymous");
        g.writeStringField("apiId", "llmrelaylocal");
        g.writeStringField("domainName", host);
        g.writeStringField("domainPrefix", host.split("[.:]", 2)[0]);
        g.writeObjectFieldStart("http");
        g.writeStringField("method", method);
        g.writeStringField("path", rawPath);
        g.writeStringField("protocol", "HTTP/1.1");
        g.writeStringField("sourceIp", sourceIp);
        g.writeStringField("userAgent", userAgent);
        g.writeEndObject();
        g.writeStringField("requestId", UUID.randomUUID().toString());
        g.writeStringField("routeKey", "$default");
        g.writeStringField("stage", "$default");
        g.writeStringField("time", TIME.format(now));
        g.writeNumberField("timeEpoch", now.toEpochMilli());
        g.writeEndObject();
    }

    /** The body as text when it is text, else base64; none at all when it is empty. */
    private static void writeBody(JsonGenerator g, String contentType, byte[] body) throws IOException {
        String text = body.length == 0 ? null : asText(contentType, body);
        if (body.length == 0) {
            g.writeBooleanField("isBase64Encoded", false);
        } else if (text != null) {
            g.writeStringField("body", text);
            g.writeBooleanField("isBase64Encoded", false);
        } else {
            g.writeStringField("body", Base64.getEncoder().encodeToString(body));
            g.writeBooleanField("isBase64Encoded", true);
        }
    }

    /**
     * A header value as a Function URL puts it in the event: its bytes read as UTF-8. AWS's own
     * event types carry such values as UTF-8 text (aws-lambda-rust-runtime,
     * lambda-events/src/custom_serde/headers.rs, test_serialize_utf8_headers; issue 509 there shows
     * bytes that are not UTF-8 reaching functions as JSON no parser accepts). Jetty reads header
     * bytes as ISO-8859-1, one char per byte, so the bytes are recovered exactly and decoded here;
     * a sequence that is not UTF-8 becomes U+FFFD.
     */
    static String headerValue(String latin1) {
        for (int i = 0; i < latin1.length(); i++) {
            if (latin1.charAt(i) >= 0x80) {
                return new String(latin1.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
            }
        }
        return latin1;
    }

    /** The body as text when its content type is textual and it is valid UTF-8, else null. */
    private static String asText(String contentType, byte[] body) {
        String type = contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        boolean textual = type.startsWith("text/") || type.contains("json") || type.contains("xml")
                || type.contains("x-www-form-urlencoded") || type.contains("javascript");
        if (!textual) {
            return null;
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return s;
        }
    }
}
