package io.llmrelay.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A caller of the relay over real HTTP ({@link HttpClient}), as a platform would be. It keeps
 * every response head and body it received, so a test can check afterwards that no key ever
 * reached a caller.
 */
public final class RelayClient {
    /** The smallest valid request. */
    public static final String CHAT = """
            {"model": "gpt-4o-mini", "stream": true, "messages": [{"role": "user", "content": "Hi"}]}""";

    private final RelayUnderTest relay;
    private final HttpClient http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();
    private final List<String> received = Collections.synchronizedList(new ArrayList<>());

    public RelayClient(RelayUnderTest relay) {
        this.relay = relay;
    }

    /** {@code POST /v1/chat/completions} with the test caller's key. */
    public static HttpRequest.Builder chat(URI base, String body) {
        return HttpRequest.newBuilder(URI.create(base + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + RelayUnderTest.CALLER_KEY);
    }

    public HttpRequest.Builder chat(String body) {
        return chat(relay.baseUrl(), body);
    }

    /** {@code POST /v1/chat/completions} with no key at all; add headers to it as a test needs. */
    public HttpRequest.Builder chatWithoutKey(String body) {
        return HttpRequest.newBuilder(URI.create(relay.baseUrl() + "/chat/completions"))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json");
    }

    /** A request to any path and method, with the test caller's key. */
    public HttpRequest.Builder request(String method, String path, String body) {
        return HttpRequest.newBuilder(relay.uri(path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("content-type", "application/json")
                .header("authorization", "Bearer " + RelayUnderTest.CALLER_KEY);
    }

    /** Sends and reads the whole answer. */
    public HttpResponse<String> send(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(request.timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        keep(response.headers().toString());
        keep(response.body());
        return response;
    }

    /** Sends without waiting; the answer is read whole (and kept) when it comes. */
    public CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest.Builder request) {
        return http.sendAsync(request.timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(response -> {
                    keep(response.headers().toString());
                    keep(response.body());
                    return response;
                });
    }

    /** {@code POST /v1/chat/completions} with {@code body}, read whole. */
    public HttpResponse<String> postChat(String body) throws IOException, InterruptedException {
        return send(chat(body));
    }

    /** Sends and leaves the body to be read event by event. */
    public EventStream open(HttpRequest.Builder request) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = http.send(request.timeout(Duration.ofSeconds(20)).build(),
                HttpResponse.BodyHandlers.ofInputStream());
        keep(response.headers().toString());
        return new EventStream(response);
    }

    /** Everything received so far: heads and bodies. */
    public String everythingReceived() {
        synchronized (received) {
            return String.join("\n", received);
        }
    }

    private void keep(String text) {
        received.add(text);
    }

    /** A streamed answer read one SSE event (up to a blank line) at a time, as raw text. */
    public final class EventStream implements AutoCloseable {
        private final HttpResponse<InputStream> response;
        private final InputStream in;
        private final ByteArrayOutputStream all = new ByteArrayOutputStream();
        private final ExecutorService reader = Executors.newSingleThreadExecutor();

        private EventStream(HttpResponse<InputStream> response) {
            this.response = response;
            this.in = response.body();
        }

        public HttpResponse<InputStream> response() {
            return response;
        }

        /**
         * The next event's text including its closing blank line ({@code "data: ...\n\n"}), or
         * null at the end of the body; fails if nothing complete arrives within 10 s.
         */
        public String nextEvent() throws Exception {
            Future<String> next = reader.submit(this::readEvent);
            try {
                return next.get(10, TimeUnit.SECONDS);
            } catch (TimeoutException e) {
                next.cancel(true);
                throw new AssertionError("no complete event arrived within 10 s; read so far: "
                        + all.toString(StandardCharsets.UTF_8));
            }
        }

        /** The JSON text of the next event, which must be one {@code data:} line. */
        public String nextPayload() throws Exception {
            return payloadOf(nextEvent());
        }

        /** Reads the rest of the body and returns it. */
        public String rest() throws Exception {
            StringBuilder rest = new StringBuilder();
            for (String event = nextEvent(); event != null; event = nextEvent()) {
                rest.append(event);
            }
            return rest.toString();
        }

        /** Everything read so far. */
        public String readSoFar() {
            return all.toString(StandardCharsets.UTF_8);
        }

        private String readEvent() throws IOException {
            ByteArrayOutputStream event = new ByteArrayOutputStream();
            int previous = -1;
            for (int b = in.read(); b != -1; b = in.read()) {
                event.write(b);
                all.write(b);
                if (b == '\n' && previous == '\n') {
                    String text = event.toString(StandardCharsets.UTF_8);
                    keep(text);
                    return text;
                }
                previous = b;
            }
            if (event.size() > 0) {
                String partial = event.toString(StandardCharsets.UTF_8);
                keep(partial);
                throw new AssertionError("the body ended inside an event: " + partial);
            }
            return null;
        }

        @Override
        public void close() throws IOException {
            reader.shutdownNow();
            in.close();
        }
    }

    /** The JSON of {@code data: <json>\n\n}, checking that framing exactly. */
    public static String payloadOf(String event) {
        assertNotNull(event, "expected another event, the stream ended");
        assertTrue(event.startsWith("data: ") && event.endsWith("\n\n"), () -> "not one data event: " + event);
        String payload = event.substring("data: ".length(), event.length() - 2);
        assertFalse(payload.contains("\n") || payload.contains("\r"), () -> "a data payload spans lines: " + event);
        return payload;
    }

    /** Every event of a whole SSE body, each as its {@code data} payload. */
    public static List<String> payloads(String body) {
        assertTrue(body.endsWith("\n\n"), () -> "the body does not end with a blank line: " + body);
        List<String> payloads = new ArrayList<>();
        for (String event : body.substring(0, body.length() - 2).split("\n\n", -1)) {
            payloads.add(payloadOf(event + "\n\n"));
        }
        return payloads;
    }

    /** A 200 stream's chunks: every payload before the {@code [DONE]} that must end it, as JSON. */
    public static List<JsonNode> chunks(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        List<String> payloads = payloads(response.body());
        assertEquals("[DONE]", payloads.get(payloads.size() - 1), "one [DONE] ends the stream");
        return payloads.subList(0, payloads.size() - 1).stream().map(RelayClient::json).toList();
    }

    /** The text the chunks' first choices carry in {@code delta.content}, joined. */
    public static String content(List<JsonNode> chunks) {
        StringBuilder text = new StringBuilder();
        chunks.stream().filter(c -> !c.path("choices").isEmpty())
                .forEach(c -> text.append(c.path("choices").get(0).path("delta").path("content").asText("")));
        return text.toString();
    }

    public static JsonNode json(String text) {
        try {
            return Json.MAPPER.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }

    /**
     * Checks an OpenAI error answer: the status, {@code application/json}, and a body that is
     * {@code {"error":{"message","type","param","code"}}} with exactly those four fields and a
     * message, and an {@code x-request-id}. Returns the error object.
     */
    public static JsonNode assertOpenAiError(HttpResponse<String> response, int status, String code) {
        assertEquals(status, response.statusCode(), () -> "status; body: " + response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"),
                () -> "content-type " + response.headers().firstValue("content-type"));
        assertFalse(response.headers().firstValue("x-request-id").orElse("").isBlank(), "x-request-id");
        return assertErrorBody(response.body(), code);
    }

    /** {@code {"error":{"message","type","param","code"}}} with the given code (null: any). */
    public static JsonNode assertErrorBody(String body, String code) {
        JsonNode root = json(body);
        assertEquals(Set.of("error"), fieldNames(root), () -> "top-level fields of " + body);
        JsonNode error = root.get("error");
        assertEquals(Set.of("message", "type", "param", "code"), fieldNames(error), () -> "error fields of " + body);
        assertTrue(error.get("message").isTextual() && !error.get("message").asText().isBlank(), () -> "message of " + body);
        assertTrue(error.get("type").isTextual(), () -> "type of " + body);
        if (code != null) {
            assertEquals(code, error.get("code").asText(null), () -> "code of " + body);
        }
        return error;
    }

    public static Set<String> fieldNames(JsonNode node) {
        if (node == null || !node.isObject()) {
            fail("not an object: " + node);
        }
        Set<String> names = new TreeSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The shared last check of every class: no upstream or caller key in anything a caller got or serve printed. */
    public void assertNoKeyLeaked() {
        String got = everythingReceived();
        for (String key : List.of(RelayUnderTest.UPSTREAM_KEY, RelayUnderTest.CALLER_KEY)) {
            assertFalse(got.contains(key), "a key reached a caller");
            assertFalse(relay.output().contains(key), "a key was printed by serve");
        }
    }
}
