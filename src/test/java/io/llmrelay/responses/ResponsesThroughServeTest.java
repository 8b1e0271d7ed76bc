package io.llmrelay.responses;

import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code POST .../responses} through {@code serve} (local Function URL, runtime loop, handler)
 * against a scripted OpenAI-compatible upstream: the same path as {@code /chat/completions}
 * (caller keys, routing, retries, scrubbing, the error contract) with the request translated on
 * the way in and the answer on the way out. What the upstream receives is compared as JSON trees;
 * every event stream is replayed as the official npm client rebuilds a response ({@link ClientReplay}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesThroughServeTest {
    private static final List<Duration> pauses = new CopyOnWriteArrayList<>();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(),
            "\"retries\": 2")).serving(serve -> serve.customize(setup -> setup.withPause(pauses::add)));

    @BeforeEach
    void forgetPauses() {
        pauses.clear();
    }

    private static HttpRequest.Builder responses(String body) {
        return served.client().request("POST", "/v1/responses", body);
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return served.client().send(responses(body));
    }

    /** A streamed answer: 200, the event-stream head, and its events (well-formed SSE, no [DONE]). */
    private static List<JsonNode> events(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("content-type").orElse(null));
        assertEquals("no-cache", response.headers().firstValue("cache-control").orElse(null));
        assertFalse(response.body().contains("[DONE]"), "a Responses stream has no [DONE]: " + response.body());
        return RecordedEvents.parse(response.body().getBytes(StandardCharsets.UTF_8));
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(event -> event.path("type").asText()).toList();
    }

    private static String text(JsonNode response) {
        StringBuilder text = new StringBuilder();
        for (JsonNode item : response.path("output")) {
            for (JsonNode part : item.path("content")) {
                text.append(part.path("text").asText(""));
            }
        }
        return text.toString();
    }

    @Test
    void theUpstreamReceivesTheTranslatedChatRequest() throws Exception {
        served.upstream().enqueue(Script.json(200, Chunks.completion("It is sunny.")));

        HttpResponse<String> response = post("""
                {"model": "gpt-4o-mini", "instructions": "Be brief.", "temperature": 0.2, "top_p": 0.9,
                 "max_output_tokens": 64, "top_k": 40, "store": false, "metadata": {"session": "s1"},
                 "input": [{"role": "developer", "content": "Use metric units."},
                           {"role": "user", "content": [{"type": "input_text", "text": "Weather in Paris?"}]},
                           {"type": "function_call", "call_id": "call_1", "name": "get_weather",
                            "arguments": "{\\"city\\":\\"Paris\\"}"},
                           {"type": "function_call_output", "call_id": "call_1", "output": "18 C, sunny"}],
                 "tools": [{"type": "function", "name": "get_weather", "description": "Weather now",
                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}],
                 "tool_choice": "auto"}""");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(Json.MAPPER.readTree("""
                {"model": "gpt-4o-mini",
                 "messages": [{"role": "system", "content": "Be brief."},
                              {"role": "system", "content": "Use metric units."},
                              {"role": "user", "content": "Weather in Paris?"},
                              {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                               "function": {"name": "get_weather", "arguments": "{\\"city\\":\\"Paris\\"}"}}]},
                              {"role": "tool", "tool_call_id": "call_1", "content": "18 C, sunny"}],
                 "tools": [{"type": "function", "function": {"name": "get_weather", "description": "Weather now",
                            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}}}}],
                 "tool_choice": "auto", "temperature": 0.2, "top_p": 0.9, "max_tokens": 64, "top_k": 40}"""),
                served.upstream().nextRequest().body(),
                "translated; the vendor field top_k passes, the route's default dropFields take metadata");
    }

    @Test
    void aWholeAnswerIsAResponseObject() throws Exception {
        served.upstream().enqueue(Script.json(200, Chunks.completion("It is sunny.")));

        HttpResponse<String> response = post("{\"model\": \"gpt-4o-mini\", \"input\": \"Weather?\"}");

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("application/json", response.headers().firstValue("content-type").orElse(null));
        JsonNode body = RelayClient.json(response.body());
        assertEquals("response", body.path("object").asText());
        assertEquals("completed", body.path("status").asText());
        assertEquals("resp_" + response.headers().firstValue("x-request-id").orElseThrow().replace("-", ""),
                body.path("id").asText(), "the response id is the request id");
        assertEquals("It is sunny.", text(body));
        assertEquals(7, body.path("usage").path("total_tokens").asInt(), body.toString());
        assertFalse(served.upstream().nextRequest().body().path("stream").asBoolean(), "not streamed upstream either");
    }

    @Test
    void eachEventLeavesTheMomentItsChunkArrives() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Hel")).gate(gate)
                .chunk(Chunks.content("lo")).chunk(Chunks.finish("stop")).chunk(Chunks.usage(3, 2)).done());

        try (RelayClient.EventStream stream = served.client().open(responses(
                "{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}"))) {
            assertEquals(200, stream.response().statusCode());
            List<JsonNode> before = new ArrayList<>();
            JsonNode event;
            do {
                event = RecordedEvents.parse(stream.nextEvent().getBytes(StandardCharsets.UTF_8)).get(0);
                before.add(event);
            } while (!event.path("type").asText().equals("response.output_text.delta"));
            assertEquals("Hel", event.path("delta").asText());
            assertEquals(1, gate.getCount(), "the upstream still holds the rest back");
            gate.countDown();
            List<JsonNode> all = new ArrayList<>(before);
            all.addAll(RecordedEvents.parse(stream.rest().getBytes(StandardCharsets.UTF_8)));
            JsonNode done = ClientReplay.replay(all);
            assertEquals("completed", done.path("status").asText());
            assertEquals("Hello", text(done));
            assertEquals(5, done.path("usage").path("total_tokens").asInt(), done.toString());
        } finally {
            gate.countDown();
        }
        assertTrue(served.upstream().nextRequest().body().path("stream_options").path("include_usage").asBoolean(),
                "a Responses stream ends with usage, so the relay asks the upstream for it");
    }

    @Test
    void anUpstreamErrorInsideTheStreamIsAnErrorEventThenResponseFailed() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content("Partial"))
                .chunk(Chunks.error("The model is overloaded.", "server_error", "overloaded")));

        List<JsonNode> events = events(post("{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}"));

        List<String> types = types(events);
        assertEquals(List.of("error", "response.failed"), types.subList(types.size() - 2, types.size()), types.toString());
        JsonNode error = events.get(events.size() - 2);
        assertEquals("overloaded", error.path("code").asText(), error.toString());
        assertEquals("The model is overloaded.", error.path("message").asText());
        assertEquals("server_error", error.path("error").path("type").asText());
        JsonNode failed = ClientReplay.replay(events);
        assertEquals("failed", failed.path("status").asText());
        assertEquals("overloaded", failed.path("error").path("code").asText(), failed.toString());
        assertEquals("Partial", text(failed), "the output so far");
    }

    @Test
    void anUpstreamThatBreaksOffMidStreamIsAnErrorEventThenResponseFailed() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Half a")).cutOff());

        List<JsonNode> events = events(post("{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}"));

        List<String> types = types(events);
        assertEquals(List.of("error", "response.failed"), types.subList(types.size() - 2, types.size()), types.toString());
        assertEquals("upstream_unavailable", events.get(events.size() - 2).path("code").asText());
        assertEquals("Half a", text(ClientReplay.replay(events)));
        assertTrue(served.relay().awaitOutput("\"error\":\"upstream_unavailable\"", Duration.ofSeconds(10)),
                "the request log line says what ended it");
    }

    @Test
    void anUpstreamRefusalBeforeTheFirstEventKeepsItsStatusAndRetryAfter() throws Exception {
        for (int i = 0; i < 3; i++) {
            served.upstream().enqueue(Script.json(429, Chunks.error("Rate limit reached.", "requests", "rate_limit_exceeded"))
                    .header("retry-after", "1"));
        }

        HttpResponse<String> response = post("{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}");

        JsonNode error = assertOpenAiError(response, 429, "rate_limit_exceeded");
        assertEquals("Rate limit reached.", error.path("message").asText());
        assertEquals("1", response.headers().firstValue("retry-after").orElse(null));
        assertEquals(2, pauses.size(), "retried twice, as the route says, before the caller got the 429: " + pauses);
    }

    @Test
    void anUpstreamThatFailsFirstIsRetriedBeforeAnythingReachesTheCaller() throws Exception {
        served.upstream().enqueue(Script.json(503, Chunks.error("Busy.", "server_error", null)));
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content("Back.")).chunk(Chunks.finish("stop")).done());

        List<JsonNode> events = events(post("{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}"));

        assertEquals("Back.", text(ClientReplay.replay(events)));
        assertEquals(1, pauses.size(), pauses.toString());
    }

    @Test
    void anUpstream5xxIsA502WithTheRelaysWords() throws Exception {
        served.upstream().enqueue(Script.json(500, Chunks.error("Boom.", "server_error", null)));

        JsonNode error = assertOpenAiError(post("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\"}"), 502,
                "upstream_unavailable");
        assertTrue(error.path("message").asText().contains("answered 500"), error.toString());
    }

    @Test
    void aChatCompletionErrorInAWholeAnswerIsA502InTheUpstreamsWords() throws Exception {
        served.upstream().enqueue(Script.json(200, Chunks.error("Context too long.", "invalid_request_error", null)));

        JsonNode error = assertOpenAiError(post("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\"}"), 502, null);
        assertEquals("Context too long.", error.path("message").asText(), error.toString());
    }

    @Test
    void theUpstreamKeyIsScrubbedFromEveryEventAndWholeAnswer() throws Exception {
        String echoed = "my key is " + RelayUnderTest.UPSTREAM_KEY + "!";
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content(echoed)).chunk(Chunks.finish("stop")).done());
        served.upstream().enqueue(Script.json(200, Chunks.completion(echoed)));

        String streamed = text(ClientReplay.replay(events(post(
                "{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}"))));
        HttpResponse<String> whole = post("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\"}");

        assertEquals("my key is [redacted]!", streamed);
        assertEquals("my key is [redacted]!", text(RelayClient.json(whole.body())));
    }

    @Test
    void statefulParametersAre400sNamingTheParameterAndNothingGoesUpstream() throws Exception {
        for (String field : List.of("\"previous_response_id\": \"resp_1\"", "\"store\": true", "\"background\": true",
                "\"conversation\": \"conv_1\"")) {
            JsonNode error = assertOpenAiError(post("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\", " + field + "}"),
                    400, null);
            String param = field.substring(1, field.indexOf('"', 1));
            assertEquals(param, error.path("param").asText(), error.toString());
        }
        JsonNode chatField = assertOpenAiError(post("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\", \"messages\": []}"), 400, null);
        assertEquals("messages", chatField.path("param").asText(), chatField.toString());
        assertEquals(0, served.upstream().requestCount(), "refused by the relay");
    }

    @Test
    void theSameCallerKeysRoutesAndLimitsAsChat() throws Exception {
        HttpResponse<String> noKey = served.client().send(HttpRequest.newBuilder(served.relay().uri("/v1/responses"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\"}")));
        assertOpenAiError(noKey, 401, "invalid_api_key");
        assertOpenAiError(post("{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\""), 400, null);
        assertEquals(0, served.upstream().requestCount());
        served.upstream().enqueue(Script.json(200, Chunks.completion("ok")));
        assertEquals(200, post("{\"model\": \"some-other-model\", \"input\": \"Hi\"}").statusCode());
        assertEquals("some-other-model", served.upstream().nextRequest().body().path("model").asText(),
                "a model no route lists goes to the default route, as for chat");
    }

    @Test
    void onlyPostIsServedAndOnAnyPathEndingInResponses() throws Exception {
        for (String method : List.of("GET", "PUT", "DELETE", "PATCH")) {
            HttpResponse<String> response = served.client().send(served.client().request(method, "/v1/responses", null));
            assertOpenAiError(response, 405, "method_not_allowed");
            assertEquals("POST", response.headers().firstValue("allow").orElse(null), method);
        }
        assertOpenAiError(served.client().send(served.client().request("GET", "/v1/responses/resp_123", null)), 404,
                "unknown_url");
        for (String path : List.of("/responses", "/openai/v1/responses", "/v1/responses/")) {
            served.upstream().enqueue(Script.json(200, Chunks.completion("ok")));
            HttpResponse<String> response = served.client().send(served.client().request("POST", path,
                    "{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\"}"));
            assertEquals("ok", text(RelayClient.json(response.body())), path);
        }
        HttpResponse<String> models = served.client().send(served.client().request("GET", "/v1/models", null));
        assertEquals(200, models.statusCode(), "GET /v1/models is unchanged");
        assertEquals("list", RelayClient.json(models.body()).path("object").asText());
        assertNull(models.headers().firstValue("allow").orElse(null));
    }
}
