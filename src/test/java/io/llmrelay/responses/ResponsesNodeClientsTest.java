package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.NodeScript;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The official {@code openai} npm client ({@code responses.create}, streaming and not, and its
 * {@code responses.stream} helper) and the Vercel AI SDK's default provider ({@code openai(model)},
 * {@code streamText} and {@code generateText}) calling {@code POST /v1/responses} on {@code serve},
 * with the caller key, against a scripted OpenAI-compatible upstream: text, a function tool's call
 * with its parsed arguments, usage, errors before and after the first event, the stateless
 * refusals; and the gate tests, where the client must show the first text while the upstream
 * still holds the rest back (each Responses event is flushed as its chat chunk arrives).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // the first run installs the clients from npm
class ResponsesNodeClientsTest {
    private static final String WEATHER_ARGS = "{\"city\":\"Paris\"}";

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    @BeforeAll
    static void install() throws Exception {
        NodeResponsesClients.install();
    }

    /** A run of {@code script} against serve's base URL with the test caller's key. */
    private static NodeScript run(String script, String scenario) throws Exception {
        return NodeResponsesClients.run(script, served.relay().baseUrl().toString(), scenario, RelayUnderTest.CALLER_KEY);
    }

    /** The chat request the upstream received for the next Responses request. */
    private static JsonNode upstreamChatRequest() throws InterruptedException {
        return served.upstream().nextRequest().body();
    }

    /**
     * The id seed of a response ({@code resp_<seed>}): the relay's request id without its dashes,
     * checked against serve's request log line.
     */
    private static String seedOf(String responseId) throws InterruptedException {
        assertTrue(responseId.matches("resp_[0-9a-f]{32}"), responseId);
        String seed = responseId.substring("resp_".length());
        String requestId = seed.replaceFirst("(.{8})(.{4})(.{4})(.{4})(.{12})", "$1-$2-$3-$4-$5");
        assertTrue(served.relay().awaitOutput("\"requestId\":\"" + requestId + "\"", Duration.ofSeconds(10)),
                "the response id is the request id of its request log line: " + responseId);
        return seed;
    }

    /** Text, held back by a gate after its first piece, then a tool call, its finish and usage. */
    private static Script textThenToolCall(CountDownLatch gate) {
        return Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Hel"))
                .gate(gate)
                .chunk(Chunks.content("lo ✓ \"there\""))
                .chunk(Chunks.toolCallStart(0, "call_w1", "get_weather"))
                .chunk(Chunks.toolCallArguments(0, "{\"city\":"))
                .chunk(Chunks.toolCallArguments(0, "\"Paris\"}"))
                .chunk(Chunks.finish("tool_calls"))
                .chunk(Chunks.usage(31, 12))
                .done();
    }

    @Test
    void openaiStreamsTextAndAFunctionCallAndSeesTheFirstDeltaAtOnce() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(textThenToolCall(gate));
        try (NodeScript client = run("openai-responses.mjs", "stream")) {
            List<JsonNode> events = new ArrayList<>();
            JsonNode line;
            while (!(line = client.next()).path("event").asText().equals("response.output_text.delta")) {
                events.add(line);
            }
            assertEquals("Hel", line.path("delta").asText(), line.toString());
            assertEquals(1, gate.getCount(), "the gate is still closed: the rest of the answer does not exist yet");
            gate.countDown();
            events.add(line);
            while ((line = client.next()).path("type").asText().equals("event")) {
                events.add(line);
            }
            assertEquals("end", line.path("type").asText(), line + client.diagnostics());
            for (int i = 0; i < events.size(); i++) {
                assertEquals(i, events.get(i).path("seq").asInt(), "sequence numbers as the client saw them");
            }
            assertEquals("response.completed", events.get(events.size() - 1).path("event").asText());
            assertEquals("Hello ✓ \"there\"", line.path("text").asText());
            JsonNode response = line.path("response");
            assertEquals("completed", response.path("status").asText());
            String seed = seedOf(response.path("id").asText());
            assertEquals(Json.MAPPER.readTree("[{\"id\":\"fc_" + seed + "_1\",\"callId\":\"call_w1\",\"name\":\"get_weather\","
                    + "\"arguments\":{\"city\":\"Paris\"},\"parsed\":null}]"), response.path("calls"));
            assertUsage(response.path("usage"), 31, 12);
            assertEquals(0, client.exitCode(), client.diagnostics());
        } finally {
            gate.countDown();
        }
        JsonNode chat = upstreamChatRequest();
        assertEquals(Json.MAPPER.readTree("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":"
                + "\"You are terse.\"},{\"role\":\"user\",\"content\":\"Weather in Paris?\"}],\"tools\":[{\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"description\":\"Current weather in a city\",\"parameters\":"
                + "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"],"
                + "\"additionalProperties\":false},\"strict\":true}}],\"max_tokens\":200,\"temperature\":0.3,"
                + "\"stream\":true,\"stream_options\":{\"include_usage\":true}}"), chat);
    }

    @Test
    void openaiCreateWithoutStreamingReadsTextCallAndUsage() throws Exception {
        served.upstream().enqueue(Script.json(200, "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini-2024-07-18\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                + "\"content\":\"Let me look.\",\"tool_calls\":[{\"id\":\"call_w2\",\"type\":\"function\",\"function\":"
                + "{\"name\":\"get_weather\",\"arguments\":" + Json.write(WEATHER_ARGS) + "}}]},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":40,\"completion_tokens\":9,\"total_tokens\":49}}"));
        try (NodeScript client = run("openai-responses.mjs", "create")) {
            JsonNode response = client.next("end").path("response");
            assertEquals("response", response.path("object").asText());
            seedOf(response.path("id").asText());
            assertEquals("gpt-4o-mini-2024-07-18", response.path("model").asText());
            assertEquals("Let me look.", response.path("outputText").asText(), "the SDK's output_text, from output");
            assertEquals("call_w2", response.path("calls").get(0).path("callId").asText());
            assertEquals(Json.MAPPER.readTree(WEATHER_ARGS), response.path("calls").get(0).path("arguments"));
            assertUsage(response.path("usage"), 40, 9);
            assertEquals(0, client.exitCode(), client.diagnostics());
        }
        assertFalse(upstreamChatRequest().has("stream_options"), "a whole answer needs no stream options");
    }

    @Test
    void openaiStreamHelperRebuildsTheResponseAndParsesStrictArguments() throws Exception {
        CountDownLatch open = new CountDownLatch(0);
        served.upstream().enqueue(textThenToolCall(open));
        try (NodeScript client = run("openai-responses.mjs", "helper")) {
            JsonNode first = client.next();
            assertEquals("Hel", first.path("snapshot").asText(), first.toString());
            JsonNode second = client.next();
            assertEquals("Hello ✓ \"there\"", second.path("snapshot").asText(), "the helper's running snapshot");
            JsonNode response = client.next("end").path("response");
            assertEquals("Hello ✓ \"there\"", response.path("outputText").asText());
            assertEquals(Json.MAPPER.readTree(WEATHER_ARGS), response.path("calls").get(0).path("parsed"),
                    "strict: true arguments parsed by the helper");
            assertEquals(0, client.exitCode(), client.diagnostics());
        }
    }

    @Test
    void openaiRaisesAnApiErrorWhenTheStreamFailsAfterItsStart() throws Exception {
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.content("Partial"))
                .chunk(Chunks.error("The server had an error while processing your request.", "server_error", null)));
        try (NodeScript client = run("openai-responses.mjs", "stream")) {
            JsonNode delta = client.next();
            while (!delta.path("event").asText().equals("response.output_text.delta")) {
                delta = client.next();
            }
            assertEquals("Partial", delta.path("delta").asText());
            JsonNode error = client.next();
            assertEquals("error", error.path("type").asText(), error + client.diagnostics());
            assertEquals("APIError", error.path("class").asText());
            assertTrue(error.path("isAPIError").asBoolean());
            assertEquals("The server had an error while processing your request.", error.path("message").asText());
            assertEquals("server_error", error.path("errorType").asText());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
    }

    @Test
    void openaiGetsABadRequestNamingPreviousResponseIdAndNothingGoesUpstream() throws Exception {
        try (NodeScript client = run("openai-responses.mjs", "refused")) {
            JsonNode error = client.next();
            assertEquals("BadRequestError", error.path("class").asText(), error + client.diagnostics());
            assertEquals(400, error.path("status").asInt());
            assertEquals("previous_response_id", error.path("param").asText());
            assertTrue(error.path("message").asText().contains("no conversation state"), error.toString());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        assertEquals(0, served.upstream().requestCount(), "refused by the relay, not sent upstream");
    }

    @Test
    void openaiGetsTheUpstreamsRefusalBeforeTheFirstEventWithItsStatus() throws Exception {
        served.upstream().enqueue(Script.json(400, Chunks.error("Invalid value for 'temperature'.",
                "invalid_request_error", "invalid_value")));
        try (NodeScript client = run("openai-responses.mjs", "stream")) {
            JsonNode error = client.next();
            assertEquals("BadRequestError", error.path("class").asText(), error + client.diagnostics());
            assertEquals(400, error.path("status").asInt());
            assertEquals("invalid_value", error.path("code").asText());
            assertTrue(error.path("message").asText().contains("Invalid value for 'temperature'."), error.toString());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        assertTrue(upstreamChatRequest().path("stream").asBoolean(), "the request did reach the upstream");
    }

    @Test
    void aiSdkStreamTextShowsTheFirstDeltaAtOnceThenTextToolCallAndUsage() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(textThenToolCall(gate));
        try (NodeScript client = run("ai-sdk.mjs", "streamText")) {
            JsonNode first = client.next();
            assertEquals("text", first.path("type").asText(), first + client.diagnostics());
            assertEquals("Hel", first.path("delta").asText());
            assertEquals(1, gate.getCount(), "the gate is still closed: the rest of the answer does not exist yet");
            gate.countDown();
            JsonNode end = client.next("end");
            assertEquals("Hello ✓ \"there\"", end.path("text").asText());
            assertEquals(Json.MAPPER.readTree("[{\"id\":\"call_w1\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]"),
                    end.path("toolCalls"));
            assertEquals("tool-calls", end.path("finishReason").asText());
            assertEquals(31, end.path("usage").path("inputTokens").asInt(), end.toString());
            assertEquals(12, end.path("usage").path("outputTokens").asInt());
            seedOf(end.path("responseId").asText());
            assertEquals(0, client.exitCode(), client.diagnostics());
        } finally {
            gate.countDown();
        }
        JsonNode chat = upstreamChatRequest();
        assertEquals("get_weather", chat.path("tools").get(0).path("function").path("name").asText());
        assertTrue(chat.path("stream_options").path("include_usage").asBoolean());
    }

    @Test
    void aiSdkReportsAFailureAfterTheStartAsAStreamError() throws Exception {
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.content("Partial"))
                .chunk(Chunks.error("The server had an error while processing your request.", "server_error", null)));
        try (NodeScript client = run("ai-sdk.mjs", "streamText")) {
            assertEquals("Partial", client.next().path("delta").asText());
            JsonNode error = client.next();
            assertEquals("streamError", error.path("type").asText(), error + client.diagnostics());
            assertEquals("The server had an error while processing your request.", error.path("message").asText());
            JsonNode end = client.next("end");
            assertEquals("error", end.path("finishReason").asText(), end.toString());
            assertEquals(0, client.exitCode(), client.diagnostics());
        }
    }

    @Test
    void aiSdkReadsAnAnswerCutByTheTokenLimitAsFinishReasonLength() throws Exception {
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.content("Once upon a"))
                .chunk(Chunks.finish("length"))
                .chunk(Chunks.usage(10, 3))
                .done());
        try (NodeScript client = run("ai-sdk.mjs", "streamText")) {
            JsonNode end = client.next("end");
            assertEquals("Once upon a", end.path("text").asText());
            assertEquals("length", end.path("finishReason").asText(), "response.incomplete, max_output_tokens");
            assertEquals(3, end.path("usage").path("outputTokens").asInt(), end.toString());
            assertEquals(0, client.exitCode(), client.diagnostics());
        }
    }

    @Test
    void aiSdkGenerateTextReadsAWholeResponse() throws Exception {
        served.upstream().enqueue(Script.json(200, "{\"id\":\"chatcmpl-3\",\"object\":\"chat.completion\",\"created\":1,"
                + "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":\"On it.\","
                + "\"tool_calls\":[{\"id\":\"call_w3\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":" + Json.write(WEATHER_ARGS) + "}}]},\"finish_reason\":\"tool_calls\"}],"
                + "\"usage\":{\"prompt_tokens\":20,\"completion_tokens\":5,\"total_tokens\":25}}"));
        try (NodeScript client = run("ai-sdk.mjs", "generateText")) {
            JsonNode end = client.next("end");
            assertEquals("On it.", end.path("text").asText());
            assertEquals(Json.MAPPER.readTree("[{\"id\":\"call_w3\",\"name\":\"get_weather\",\"input\":{\"city\":\"Paris\"}}]"),
                    end.path("toolCalls"));
            assertEquals("tool-calls", end.path("finishReason").asText());
            assertEquals(20, end.path("usage").path("inputTokens").asInt(), end.toString());
            assertEquals(5, end.path("usage").path("outputTokens").asInt());
            assertEquals(0, client.exitCode(), client.diagnostics());
        }
        assertTrue(upstreamChatRequest().path("messages").get(0).path("content").asText().contains("Paris"));
    }

    @Test
    void aiSdkToolLoopSendsTheCallAndItsOutputBackAsChatToolMessages() throws Exception {
        served.upstream().enqueue(Script.json(200, toolCallCompletion(null, "call_w4")));
        served.upstream().enqueue(Script.json(200, Chunks.completion("It is 18 degrees in Paris.")));
        try (NodeScript client = run("ai-sdk.mjs", "toolLoop")) {
            JsonNode end = client.next("end");
            assertEquals("It is 18 degrees in Paris.", end.path("text").asText());
            assertEquals(2, end.path("steps").asInt());
            assertEquals(0, client.exitCode(), client.diagnostics());
        }
        upstreamChatRequest();
        JsonNode second = upstreamChatRequest();
        assertEquals(Json.MAPPER.readTree("[{\"role\":\"user\",\"content\":\"Weather in Paris?\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":[{\"id\":\"call_w4\",\"type\":\"function\","
                + "\"function\":{\"name\":\"get_weather\",\"arguments\":" + Json.write(WEATHER_ARGS) + "}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_w4\",\"content\":\"{\\\"city\\\":\\\"Paris\\\",\\\"celsius\\\":18}\"}]"),
                second.path("messages"));
    }

    @Test
    void aiSdkWithItsDefaultStoreIsToldToTurnItOffWhenItReferencesAStoredItem() throws Exception {
        served.upstream().enqueue(Script.json(200, toolCallCompletion("Checking.", "call_w5")));
        try (NodeScript client = run("ai-sdk.mjs", "storedLoop")) {
            JsonNode error = client.next();
            assertEquals(400, error.path("status").asInt(), error + client.diagnostics());
            assertTrue(error.path("message").asText().contains("store = false"), error.toString());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        upstreamChatRequest();
        assertEquals(0, served.upstream().requestCount(), "the second request was refused, not sent upstream");
    }

    /** A {@code chat.completion} that calls get_weather for Paris, after {@code text} (none when null). */
    private static String toolCallCompletion(String text, String callId) {
        return "{\"id\":\"chatcmpl-4\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini\","
                + "\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\",\"content\":" + Json.write(text) + ","
                + "\"tool_calls\":[{\"id\":\"" + callId + "\",\"type\":\"function\",\"function\":{\"name\":\"get_weather\","
                + "\"arguments\":" + Json.write(WEATHER_ARGS) + "}}]},\"finish_reason\":\"tool_calls\"}]}";
    }

    private static void assertUsage(JsonNode usage, int input, int output) {
        assertEquals(input, usage.path("input_tokens").asInt(), usage.toString());
        assertEquals(output, usage.path("output_tokens").asInt());
        assertEquals(input + output, usage.path("total_tokens").asInt());
    }
}
