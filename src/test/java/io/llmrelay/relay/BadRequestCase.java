package io.llmrelay.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * One file of {@code src/test/resources/bad-requests/} (its README says the format): a request
 * as a Function URL event, and the answer it must get.
 */
record BadRequestCase(String name, JsonNode spec) {
    static final String DIRECTORY = "bad-requests";
    /** {@code ${repeat:N}TEXT${end}}: TEXT N times; keeps megabyte bodies out of the files. */
    private static final Pattern REPEAT = Pattern.compile("\\$\\{repeat:(\\d+)}(.*?)\\$\\{end}", Pattern.DOTALL);

    /** Every case, in file-name order. */
    static List<BadRequestCase> all() throws IOException, URISyntaxException {
        URL dir = BadRequestCase.class.getClassLoader().getResource(DIRECTORY);
        if (dir == null) {
            throw new IllegalStateException(DIRECTORY + " is not on the test classpath");
        }
        List<BadRequestCase> cases = new ArrayList<>();
        try (Stream<Path> files = Files.list(Path.of(dir.toURI()))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                cases.add(new BadRequestCase(file.getFileName().toString().replace(".json", ""),
                        Json.MAPPER.readTree(file.toFile())));
            }
        }
        return cases;
    }

    /** A good request: the caller's {@link RelayClient#CHAT} with its key, as a case named {@code name}. */
    static BadRequestCase goodChat(String name) {
        ObjectNode spec = Json.object();
        spec.put("method", "POST");
        spec.put("path", "/v1/chat/completions");
        spec.putObject("headers").put("content-type", "application/json")
                .put("authorization", "Bearer ${CALLER_KEY}");
        spec.put("body", RelayClient.CHAT);
        return new BadRequestCase(name, spec);
    }

    JsonNode expect() {
        return spec.get("expect");
    }

    int expectedStatus() {
        return expect().get("status").asInt();
    }

    /** No Function URL sends this event; the handler answers it before a request id exists. */
    boolean isInvalidEvent() {
        return expect().path("invalidEvent").asBoolean(false);
    }

    /** The invocation event: as the file gives it ({@code rawEvent}), or a payload 2.0 event built from its fields. */
    byte[] event() {
        if (spec.has("rawEvent")) {
            return spec.get("rawEvent").asText().getBytes(StandardCharsets.UTF_8);
        }
        String path = expand(spec.path("path").asText("/v1/chat/completions"));
        ObjectNode event = Json.object();
        event.put("version", "2.0");
        event.put("routeKey", "$default");
        event.put("rawPath", path);
        event.put("rawQueryString", "");
        ObjectNode headers = event.putObject("headers");
        for (Map.Entry<String, JsonNode> header : spec.path("headers").properties()) {
            JsonNode value = header.getValue();
            if (value.isArray()) {
                // A repeated header: Function URLs join the values with commas.
                List<String> values = new ArrayList<>();
                value.forEach(v -> values.add(expand(v.asText())));
                headers.put(header.getKey(), String.join(",", values));
            } else {
                headers.put(header.getKey(), expand(value.asText()));
            }
        }
        ObjectNode context = event.putObject("requestContext");
        context.put("accountId", "anonymous");
        context.put("apiId", "corpus");
        context.put("domainName", "corpus.lambda-url.us-east-1.on.aws");
        context.put("requestId", "corpus-" + name);
        context.put("routeKey", "$default");
        context.put("stage", "$default");
        context.put("timeEpoch", 0);
        ObjectNode http = context.putObject("http");
        http.put("method", spec.path("method").asText("POST"));
        http.put("path", path);
        http.put("protocol", "HTTP/1.1");
        http.put("sourceIp", "127.0.0.1");
        http.put("userAgent", "bad-request-corpus");
        boolean base64 = spec.path("isBase64Encoded").asBoolean(false);
        if (spec.has("bodyBase64")) {
            event.put("body", spec.get("bodyBase64").asText());
        } else if (spec.has("body")) {
            String body = expand(spec.get("body").asText());
            event.put("body", base64 ? Base64.getEncoder().encodeToString(body.getBytes(StandardCharsets.UTF_8)) : body);
        }
        event.put("isBase64Encoded", base64);
        return Json.writeBytes(event);
    }

    /** Fills in {@code ${CALLER_KEY}} and {@code ${repeat:N}TEXT${end}}. */
    static String expand(String text) {
        String withKey = text.replace("${CALLER_KEY}", RelayUnderTest.CALLER_KEY);
        Matcher repeat = REPEAT.matcher(withKey);
        StringBuilder out = new StringBuilder();
        while (repeat.find()) {
            repeat.appendReplacement(out, Matcher.quoteReplacement(repeat.group(2).repeat(Integer.parseInt(repeat.group(1)))));
        }
        repeat.appendTail(out);
        return out.toString();
    }

    @Override
    public String toString() {
        return name;
    }
}
