package io.llmrelay.upstream.anthropic;

import static io.llmrelay.testing.AnthropicSse.blockStop;
import static io.llmrelay.testing.AnthropicSse.event;
import static io.llmrelay.testing.AnthropicSse.inputJson;
import static io.llmrelay.testing.AnthropicSse.messageDelta;
import static io.llmrelay.testing.AnthropicSse.messageStart;
import static io.llmrelay.testing.AnthropicSse.messageStop;
import static io.llmrelay.testing.AnthropicSse.textDelta;
import static io.llmrelay.testing.AnthropicSse.textStart;
import static io.llmrelay.testing.AnthropicSse.toolStart;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.chunks;
import static io.llmrelay.testing.RelayClient.content;
import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An {@code anthropic} route through {@code serve} (local Function URL, runtime loop, handler)
 * against a loopback Anthropic Messages API that plays event sequences from Anthropic's streaming
 * reference and records what it was sent.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AnthropicRouteTest {
    private static final String MODEL = "claude-sonnet-4-5";
    private static FakeUpstream anthropic;
    private static RelayUnderTest relay;
    private static RelayClient client;

    @BeforeAll
    static void start() throws Exception {
        anthropic = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + anthropic.url("/v1") + "\","
                        + " \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"" + MODEL + "\", \"claude-*\"], \"default\": true,"
                        + " \"retries\": 1, \"defaultMaxTokens\": 700, \"headers\": {\"anthropic-beta\": \"test-beta\"}}");
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        env.put("RELAY_LOG_LEVEL", "debug");
        relay = RelayUnderTest.with(config).env(env).customize(setup -> setup.withPause(wait -> { })).start();
        client = new RelayClient(relay);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.assertNoKeyLeaked();
        } finally {
            try {
                relay.close();
            } finally {
                anthropic.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        anthropic.reset();
    }

    private static String chat(String extra) {
        return "{\"model\": \"" + MODEL + "\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]"
                + (extra == null ? "" : ", " + extra) + "}";
    }

    @Test
    void textStreamsExactlyAndAnthropicReceivesTheTranslatedRequest() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE)
                .raw(AnthropicSse.text(25, 15, "end_turn", "Hel", "lo, wörld ", "\"quoted\" ✓\n")));

        List<JsonNode> chunks = chunks(client.postChat("""
                {"model": "claude-sonnet-4-5", "stream": true, "temperature": 0.2, "stop": "END", "seed": 7,
                 "messages": [{"role": "system", "content": "Be brief."},
                              {"role": "user", "content": "Hi"}, {"role": "user", "content": "there"}]}"""));

        assertEquals("Hello, wörld \"quoted\" ✓\n", content(chunks));
        assertEquals("assistant", chunks.get(0).path("choices").get(0).path("delta").path("role").asText());
        JsonNode last = chunks.get(chunks.size() - 1);
        assertEquals("stop", last.path("choices").get(0).path("finish_reason").asText());
        for (JsonNode chunk : chunks) {
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals(MODEL, chunk.path("model").asText(), "the caller's model name");
            assertTrue(chunk.path("id").asText().startsWith("chatcmpl-"));
            assertTrue(chunk.path("created").isIntegralNumber());
            assertFalse(chunk.has("usage"), "no usage unless asked for");
        }

        FakeUpstream.Recorded sent = anthropic.nextRequest();
        assertEquals("/v1/messages", sent.rawPath());
        assertEquals(RelayUnderTest.UPSTREAM_KEY, sent.header("x-api-key"));
        assertEquals("2023-06-01", sent.header("anthropic-version"));
        assertEquals("application/json", sent.header("content-type"));
        assertEquals("test-beta", sent.header("anthropic-beta"), "the route's own headers go along");
        assertEquals(RelayClient.json("""
                {"model": "claude-sonnet-4-5", "max_tokens": 700,
                 "system": [{"type": "text", "text": "Be brief."}],
                 "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}, {"type": "text", "text": "there"}]}],
                 "temperature": 0.2, "stop_sequences": ["END"], "stream": true}"""), sent.body());
        assertTrue(relay.output().contains("\"kind\":\"dropped_parameters\",\"detail\":\"seed\""),
                "dropped parameters are logged at debug");
    }

    @Test
    void toolCallsGetDenseIndexesIdsAndNamesAndUsageComesWhenAsked() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(messageStart(30) + textStart(0)
                + textDelta(0, "Checking.") + blockStop(0)
                + toolStart(1, "toolu_01A", "get_weather") + inputJson(1, "") + inputJson(1, "{\"city\": ")
                + inputJson(1, "\"Paris\"}") + blockStop(1)
                + toolStart(2, "toolu_01B", "get_time") + blockStop(2)
                + messageDelta("tool_use", 42) + messageStop()));

        List<JsonNode> chunks = chunks(client.postChat(chat("\"stream_options\": {\"include_usage\": true},"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}},"
                + " {\"type\": \"function\", \"function\": {\"name\": \"get_time\"}}], \"tool_choice\": \"required\"")));

        List<JsonNode> calls = chunks.stream().filter(c -> !c.path("choices").isEmpty())
                .map(c -> c.path("choices").get(0).path("delta").path("tool_calls"))
                .filter(JsonNode::isArray).map(a -> a.get(0)).toList();
        assertEquals(json("""
                {"index": 0, "id": "toolu_01A", "type": "function", "function": {"name": "get_weather", "arguments": ""}}"""),
                calls.get(0));
        assertEquals("{\"city\": \"Paris\"}", calls.get(1).path("function").path("arguments").asText()
                + calls.get(2).path("function").path("arguments").asText());
        assertEquals(json("""
                {"index": 1, "id": "toolu_01B", "type": "function", "function": {"name": "get_time", "arguments": ""}}"""),
                calls.get(3));
        assertEquals("{}", calls.get(4).path("function").path("arguments").asText(), "a call without input gets {}");
        JsonNode finish = chunks.get(chunks.size() - 2);
        assertEquals("tool_calls", finish.path("choices").get(0).path("finish_reason").asText());
        JsonNode usage = chunks.get(chunks.size() - 1);
        assertEquals(0, usage.path("choices").size(), "the usage chunk has choices: []");
        assertEquals(json("{\"prompt_tokens\": 30, \"completion_tokens\": 42, \"total_tokens\": 72}"), usage.path("usage"));
        assertTrue(finish.path("usage").isNull(), "chunks before it say usage: null, as OpenAI's do");

        JsonNode sent = anthropic.nextRequest().body();
        assertEquals(json("{\"type\": \"any\"}"), sent.path("tool_choice"));
        assertEquals(json("""
                [{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}},
                 {"name": "get_time", "input_schema": {"type": "object", "properties": {}}}]"""), sent.path("tools"));
    }

    @Test
    void eachChunkReachesTheCallerWhileAnthropicHoldsTheNextEvent() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(messageStart(3) + textStart(0)
                + textDelta(0, "First")).gate(gate).raw(textDelta(0, " second") + blockStop(0)
                + messageDelta("end_turn", 2) + messageStop()));
        try (RelayClient.EventStream stream = client.open(client.chat(chat(null)))) {
            assertEquals(200, stream.response().statusCode());
            assertEquals("assistant", json(stream.nextPayload()).path("choices").get(0).path("delta").path("role").asText());
            assertEquals("First", json(stream.nextPayload()).path("choices").get(0).path("delta").path("content").asText());
            assertEquals(1, gate.getCount(), "Anthropic has not sent the next event yet");
            gate.countDown();
            assertEquals(" second", json(stream.nextPayload()).path("choices").get(0).path("delta").path("content").asText());
            assertTrue(stream.rest().endsWith("data: [DONE]\n\n"));
        } finally {
            gate.countDown();
        }
    }

    @Test
    void stopReasonsMapToOpenAiFinishReasons() throws Exception {
        Map<String, String> table = Map.of("end_turn", "stop", "stop_sequence", "stop", "max_tokens", "length",
                "tool_use", "tool_calls", "refusal", "content_filter", "pause_turn", "stop");
        for (Map.Entry<String, String> row : table.entrySet()) {
            anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.text(1, 1, row.getKey(), "x")));
            List<JsonNode> chunks = chunks(client.postChat(chat(null)));
            assertEquals(row.getValue(), chunks.get(chunks.size() - 1).path("choices").get(0).path("finish_reason").asText(),
                    row.getKey());
        }
        assertTrue(relay.output().contains("\"kind\":\"unknown_stop_reason\",\"detail\":\"pause_turn\""));
    }

    @Test
    void anUnknownEventTypeIsIgnoredAsAnthropicsVersioningPolicyAsks() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(messageStart(3) + textStart(0)
                + event("content_block_hint", "{\"type\": \"content_block_hint\", \"index\": 0}")
                + textDelta(0, "ok") + blockStop(0) + messageDelta("end_turn", 1) + messageStop()));
        assertEquals("ok", content(chunks(client.postChat(chat(null)))));
        assertTrue(relay.output().contains("\"kind\":\"ignored_event\",\"detail\":\"anthropic:content_block_hint\""));
    }

    @Test
    void errorsMidStreamBecomeOneErrorEventAndDone() throws Exception {
        Map<String, String> cases = Map.of(
                AnthropicSse.error("overloaded_error", "Overloaded"), "upstream_overloaded",
                toolStart(1, "toolu_9", "f") + inputJson(1, "{\"a\": ") + blockStop(1), "upstream_invalid_response",
                event("content_block_delta", "not json"), "upstream_invalid_response",
                textDelta(5, "to a block that never started") , "upstream_invalid_response",
                "", "upstream_unavailable"); // ends before message_stop
        for (Map.Entry<String, String> row : cases.entrySet()) {
            anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(messageStart(3) + textStart(0)
                    + textDelta(0, "Partial") + row.getKey()));
            HttpResponse<String> response = client.postChat(chat(null));
            assertEquals(200, response.statusCode(), row.getValue());
            List<String> payloads = payloads(response.body());
            assertEquals("Partial", json(payloads.get(1)).path("choices").get(0).path("delta").path("content").asText());
            assertErrorBody(payloads.get(payloads.size() - 2), row.getValue());
            assertEquals("[DONE]", payloads.get(payloads.size() - 1));
        }
    }

    @Test
    void aStreamCutOffMidBodyEndsWithAnErrorEventAndDone() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(messageStart(3) + textStart(0)
                + textDelta(0, "Partial")).cutOff());
        List<String> payloads = payloads(client.postChat(chat(null)).body());
        assertErrorBody(payloads.get(payloads.size() - 2), "upstream_unavailable");
        assertEquals("[DONE]", payloads.get(payloads.size() - 1));
    }

    @Test
    void anErrorEventBeforeAnyChunkIsRetriedThenAnswered() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.error("overloaded_error", "Overloaded")));
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.text(1, 1, "end_turn", "second try")));
        assertEquals("second try", content(chunks(client.postChat(chat(null)))));
        assertEquals(2, anthropic.requestCount(), "the overloaded answer was retried (503 semantics)");
    }

    @Test
    void refusalsBeforeTheFirstByteGetTheTableStatusAndNameTheProblemNotTheKey() throws Exception {
        anthropic.enqueue(Script.json(401, AnthropicSse.errorBody("authentication_error",
                "invalid x-api-key")));
        JsonNode error = assertOpenAiError(client.postChat(chat(null)), 401, "upstream_authentication_failed");
        assertTrue(error.path("message").asText().contains("route 'claude'"), error.toString());
        assertTrue(error.path("message").asText().contains("API key was rejected"), error.toString());

        anthropic.enqueue(Script.json(400, AnthropicSse.errorBody("invalid_request_error",
                "messages: roles must alternate")));
        assertTrue(assertOpenAiError(client.postChat(chat(null)), 400, null).path("message").asText()
                .contains("roles must alternate"));

        anthropic.enqueue(Script.json(429, AnthropicSse.errorBody("rate_limit_error", "slow down"))
                .header("retry-after", "30"));
        HttpResponse<String> limited = client.postChat(chat(null));
        assertOpenAiError(limited, 429, "rate_limit_exceeded");
        assertEquals("30", limited.headers().firstValue("retry-after").orElse(""), "retry-after passes on");
    }

    @Test
    void overloadedUntilTheRetriesRunOutIsA503WithAnthropicsRetryAfter() throws Exception {
        anthropic.enqueue(Script.json(529, AnthropicSse.errorBody("overloaded_error", "Overloaded"))
                .header("retry-after", "1"));
        anthropic.enqueue(Script.json(529, AnthropicSse.errorBody("overloaded_error", "Overloaded"))
                .header("retry-after", "2"));
        HttpResponse<String> overloaded = client.postChat(chat(null));
        JsonNode error = assertOpenAiError(overloaded, 503, "upstream_overloaded");
        assertEquals(2, anthropic.requestCount(), "retried once (the route's retries) before the caller heard of it");
        assertEquals("2", overloaded.headers().firstValue("retry-after").orElse(""), "the last answer's retry-after");
        assertTrue(error.path("message").asText().contains("overloaded_error for route 'claude'"), error.toString());

        // The same from an error event that comes before any chunk: no retry-after to pass on.
        anthropic.reset();
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.error("overloaded_error", "Overloaded")));
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.error("overloaded_error", "Overloaded")));
        HttpResponse<String> inStream = client.postChat(chat(null));
        assertOpenAiError(inStream, 503, "upstream_overloaded");
        assertTrue(inStream.headers().firstValue("retry-after").isEmpty());
        assertEquals(2, anthropic.requestCount());
    }

    @Test
    void keyAndPermissionRefusalsSayWhichAndNeverEchoTheKey() throws Exception {
        anthropic.enqueue(Script.json(403, AnthropicSse.errorBody("permission_error",
                "Your API key " + RelayUnderTest.UPSTREAM_KEY + " does not have permission to use the specified resource.")));
        HttpResponse<String> denied = client.postChat(chat(null));
        JsonNode permission = assertOpenAiError(denied, 403, "upstream_permission_denied");
        assertTrue(permission.path("message").asText().contains("may not use this model or feature"), permission.toString());
        assertFalse(denied.body().contains(RelayUnderTest.UPSTREAM_KEY), denied.body());

        anthropic.enqueue(Script.json(401, AnthropicSse.errorBody("authentication_error",
                "invalid x-api-key " + RelayUnderTest.UPSTREAM_KEY)));
        HttpResponse<String> rejected = client.postChat(chat(null));
        JsonNode authentication = assertOpenAiError(rejected, 401, "upstream_authentication_failed");
        assertTrue(authentication.path("message").asText().contains("API key was rejected"), authentication.toString());
        assertFalse(rejected.body().contains(RelayUnderTest.UPSTREAM_KEY), rejected.body());
        assertEquals(2, anthropic.requestCount(), "neither is retried");
    }

    @Test
    void parametersThatWouldChangeTheAnswerAreRefusedBeforeAnthropicIsCalled() throws Exception {
        for (String[] refused : new String[][] {{"\"n\": 2", "n"}, {"\"logprobs\": true", "logprobs"},
                {"\"response_format\": {\"type\": \"json_object\"}", "response_format"}}) {
            JsonNode error = assertOpenAiError(client.postChat(chat(refused[0])), 400, null);
            assertEquals(refused[1], error.path("param").asText());
        }
        assertEquals(0, anthropic.requestCount());
    }

    @Test
    void aNonStreamingRequestGetsOneChatCompletion() throws Exception {
        anthropic.enqueue(Script.json(200, """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-sonnet-4-5",
                 "content": [{"type": "text", "text": "It is sunny."},
                             {"type": "tool_use", "id": "toolu_1", "name": "log", "input": {"level": "info"}}],
                 "stop_reason": "tool_use", "stop_sequence": null,
                 "usage": {"input_tokens": 9, "cache_read_input_tokens": 4, "output_tokens": 6}}"""));
        HttpResponse<String> response = client.postChat(chat(null).replace("\"stream\": true", "\"stream\": false"));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode completion = json(response.body());
        assertEquals("chat.completion", completion.path("object").asText());
        assertEquals(MODEL, completion.path("model").asText());
        JsonNode message = completion.path("choices").get(0).path("message");
        assertEquals("It is sunny.", message.path("content").asText());
        assertEquals("{\"level\":\"info\"}", message.path("tool_calls").get(0).path("function").path("arguments").asText());
        assertEquals("tool_calls", completion.path("choices").get(0).path("finish_reason").asText());
        assertEquals(json("{\"prompt_tokens\": 13, \"completion_tokens\": 6, \"total_tokens\": 19}"), completion.path("usage"));
        assertFalse(anthropic.nextRequest().body().path("stream").asBoolean(true));
    }

    @Test
    void modelsListNamesTheRoutesModels() throws Exception {
        HttpResponse<String> response = client.send(client.request("GET", "/v1/models", null));
        assertEquals(200, response.statusCode());
        assertEquals(MODEL, json(response.body()).path("data").get(0).path("id").asText());
        assertEquals(1, json(response.body()).path("data").size(), "globs are not models");
    }
}
