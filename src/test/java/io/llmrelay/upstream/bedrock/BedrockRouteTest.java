package io.llmrelay.upstream.bedrock;

import static io.llmrelay.testing.BedrockFrames.blockStop;
import static io.llmrelay.testing.BedrockFrames.concat;
import static io.llmrelay.testing.BedrockFrames.messageStart;
import static io.llmrelay.testing.BedrockFrames.messageStop;
import static io.llmrelay.testing.BedrockFrames.metadata;
import static io.llmrelay.testing.BedrockFrames.text;
import static io.llmrelay.testing.BedrockFrames.toolInput;
import static io.llmrelay.testing.BedrockFrames.toolStart;
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
import io.llmrelay.testing.BedrockFrames;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A {@code bedrock} route through {@code serve} against a loopback Bedrock Runtime that answers
 * ConverseStream in binary event-stream frames (encoded by {@link BedrockFrames}, independently of
 * the relay's decoder) and records the signed requests it gets.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BedrockRouteTest {
    private static final String MODEL = "claude-on-bedrock";
    private static final String PROFILE_ARN =
            "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-sonnet-4-5-20250929-v1:0";
    private static final String ACCESS_KEY = "AKIDEXAMPLE";
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    /** https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html */
    private static final Pattern AUTHORIZATION = Pattern.compile("AWS4-HMAC-SHA256 Credential=" + ACCESS_KEY
            + "/\\d{8}/eu-west-1/bedrock/aws4_request, SignedHeaders=([a-z0-9;-]+), Signature=[0-9a-f]{64}");
    private static FakeUpstream bedrock;
    private static RelayUnderTest relay;
    private static RelayClient client;

    @BeforeAll
    static void start() throws Exception {
        bedrock = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"nova\", \"type\": \"bedrock\", \"region\": \"eu-west-1\", \"baseUrl\": \"" + bedrock.url("")
                        + "\", \"models\": [\"" + MODEL + "\"], \"upstreamModel\": \"" + PROFILE_ARN + "\","
                        + " \"default\": true, \"retries\": 1}");
        Map<String, String> env = new HashMap<>(Map.of("AWS_ACCESS_KEY_ID", ACCESS_KEY,
                "AWS_SECRET_ACCESS_KEY", SECRET_KEY, "AWS_SESSION_TOKEN", "session-token-example", "RELAY_LOG_LEVEL", "debug"));
        relay = RelayUnderTest.with(config).env(env).customize(setup -> setup.withPause(wait -> { })).start();
        client = new RelayClient(relay);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.assertNoKeyLeaked();
            assertFalse(relay.output().contains(SECRET_KEY), "the AWS secret key was printed");
        } finally {
            try {
                relay.close();
            } finally {
                bedrock.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        bedrock.reset();
    }

    private static String chat(String extra) {
        return "{\"model\": \"" + MODEL + "\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]"
                + (extra == null ? "" : ", " + extra) + "}";
    }

    private static Script stream(byte[]... frames) {
        return Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(concat(frames));
    }

    @Test
    void textStreamsExactlyFromASignedRequestToTheEncodedModelPath() throws Exception {
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE)
                .rawBytes(BedrockFrames.textAnswer("end_turn", 11, 5, "Bon", "jour, ", "wörld ✓ \"q\"")));

        List<JsonNode> chunks = chunks(client.postChat("""
                {"model": "claude-on-bedrock", "stream": true, "max_tokens": 300, "top_p": 0.9, "stop": ["END"],
                 "user": "u-1", "parallel_tool_calls": false,
                 "messages": [{"role": "developer", "content": [{"type": "text", "text": "Be brief."}]},
                              {"role": "user", "content": [{"type": "text", "text": "Hi"},
                                  {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]}]}"""));

        assertEquals("Bonjour, wörld ✓ \"q\"", content(chunks));
        assertEquals("assistant", chunks.get(0).path("choices").get(0).path("delta").path("role").asText());
        assertEquals("stop", chunks.get(chunks.size() - 1).path("choices").get(0).path("finish_reason").asText());
        chunks.forEach(chunk -> assertEquals("chat.completion.chunk", chunk.path("object").asText()));
        chunks.forEach(chunk -> assertEquals(MODEL, chunk.path("model").asText(), "the caller's name, not the profile ARN"));

        FakeUpstream.Recorded sent = bedrock.nextRequest();
        assertEquals("/model/arn%3Aaws%3Abedrock%3Aeu-west-1%3A123456789012%3Ainference-profile%2Feu.anthropic"
                + ".claude-sonnet-4-5-20250929-v1%3A0/converse-stream", sent.rawPath(), "the ARN is one path segment");
        var authorization = AUTHORIZATION.matcher(sent.header("authorization"));
        assertTrue(authorization.matches(), sent.header("authorization"));
        List<String> signed = List.of(authorization.group(1).split(";"));
        assertTrue(signed.containsAll(List.of("host", "x-amz-date", "content-type", "x-amz-security-token")), signed.toString());
        assertTrue(sent.header("x-amz-date").matches("\\d{8}T\\d{6}Z"), sent.header("x-amz-date"));
        assertEquals("session-token-example", sent.header("x-amz-security-token"));
        assertEquals(BedrockFrames.CONTENT_TYPE, sent.header("accept"));
        assertEquals(RelayClient.json("""
                {"messages": [{"role": "user", "content": [{"text": "Hi"},
                    {"image": {"format": "png", "source": {"bytes": "iVBORw0KGgo="}}}]}],
                 "system": [{"text": "Be brief."}],
                 "inferenceConfig": {"maxTokens": 300, "topP": 0.9, "stopSequences": ["END"]}}"""), sent.body());
        assertTrue(relay.output().contains("\"kind\":\"dropped_parameters\",\"detail\":\"user,parallel_tool_calls\""),
                relay.output());
    }

    @Test
    void toolUseBlocksBecomeDenselyIndexedToolCallsAndUsageComesFromMetadata() throws Exception {
        bedrock.enqueue(stream(messageStart(), text(0, "Let me check."), blockStop(0),
                toolStart(1, "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "get_weather"), toolInput(1, "{\"city\":"),
                toolInput(1, "\"Paris\"}"), blockStop(1), messageStop("tool_use"), metadata(40, 22)));

        List<JsonNode> chunks = chunks(client.postChat(chat("\"stream_options\": {\"include_usage\": true},"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"get_weather\", \"description\": \"Weather\","
                + " \"parameters\": {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}}],"
                + " \"tool_choice\": {\"type\": \"function\", \"function\": {\"name\": \"get_weather\"}}")));

        List<JsonNode> calls = chunks.stream().filter(c -> !c.path("choices").isEmpty())
                .map(c -> c.path("choices").get(0).path("delta").path("tool_calls")).filter(JsonNode::isArray)
                .map(a -> a.get(0)).toList();
        assertEquals(3, calls.size());
        assertEquals(json("""
                {"index": 0, "id": "tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "type": "function",
                 "function": {"name": "get_weather", "arguments": ""}}"""), calls.get(0));
        assertEquals("{\"city\":\"Paris\"}", calls.get(1).path("function").path("arguments").asText()
                + calls.get(2).path("function").path("arguments").asText());
        assertEquals("tool_calls", chunks.get(chunks.size() - 2).path("choices").get(0).path("finish_reason").asText());
        assertEquals(json("{\"prompt_tokens\": 40, \"completion_tokens\": 22, \"total_tokens\": 62}"),
                chunks.get(chunks.size() - 1).path("usage"));

        JsonNode toolConfig = bedrock.nextRequest().body().path("toolConfig");
        assertEquals(json("""
                {"tools": [{"toolSpec": {"name": "get_weather", "description": "Weather",
                   "inputSchema": {"json": {"type": "object", "properties": {"city": {"type": "string"}}}}}}],
                 "toolChoice": {"tool": {"name": "get_weather"}}}"""), toolConfig);
    }

    @Test
    void eachChunkReachesTheCallerWhileBedrockHoldsTheNextFrame() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(concat(messageStart(), text(0, "First")))
                .gate(gate).rawBytes(concat(text(0, " second"), blockStop(0), messageStop("end_turn"), metadata(1, 2))));
        try (RelayClient.EventStream stream = client.open(client.chat(chat(null)))) {
            assertEquals("assistant", json(stream.nextPayload()).path("choices").get(0).path("delta").path("role").asText());
            assertEquals("First", json(stream.nextPayload()).path("choices").get(0).path("delta").path("content").asText());
            assertEquals(1, gate.getCount(), "Bedrock has not sent the next frame yet");
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
                "guardrail_intervened", "content_filter", "content_filtered", "content_filter",
                "model_context_window_exceeded", "length", "malformed_model_output", "stop");
        for (Map.Entry<String, String> row : table.entrySet()) {
            bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(BedrockFrames.textAnswer(row.getKey(), 1, 1, "x")));
            List<JsonNode> chunks = chunks(client.postChat(chat(null)));
            assertEquals(row.getValue(), chunks.get(chunks.size() - 1).path("choices").get(0).path("finish_reason").asText(),
                    row.getKey());
        }
    }

    @Test
    void badFramesAndExceptionsMidStreamBecomeOneErrorEventAndDone() throws Exception {
        Map<byte[], String> cases = new LinkedHashMap<>();
        cases.put(BedrockFrames.corrupt(text(0, "broken")), "upstream_invalid_response");
        cases.put(BedrockFrames.exception("modelStreamErrorException", "The model stream failed."), "upstream_error");
        cases.put(BedrockFrames.exception("throttlingException", "Too many tokens."), "rate_limit_exceeded");
        cases.put(BedrockFrames.event("contentBlockDelta", "[1, 2]"), "upstream_invalid_response");
        cases.put(concat(toolStart(1, "t1", "f"), toolInput(1, "{\"a\":"), blockStop(1)), "upstream_invalid_response");
        cases.put(frameOfMessageType("surprise"), "upstream_invalid_response");
        cases.put(new byte[0], "upstream_unavailable"); // the body ends before messageStop
        for (Map.Entry<byte[], String> row : cases.entrySet()) {
            bedrock.enqueue(stream(messageStart(), text(0, "Partial"), row.getKey()));
            HttpResponse<String> response = client.postChat(chat(null));
            assertEquals(200, response.statusCode(), row.getValue());
            List<String> payloads = payloads(response.body());
            assertEquals("Partial", json(payloads.get(1)).path("choices").get(0).path("delta").path("content").asText());
            assertErrorBody(payloads.get(payloads.size() - 2), row.getValue());
            assertEquals("[DONE]", payloads.get(payloads.size() - 1));
        }
    }

    @Test
    void aStreamCutInsideAFrameEndsWithAnErrorEventAndDone() throws Exception {
        byte[] frame = text(0, "never complete");
        byte[] half = java.util.Arrays.copyOf(frame, frame.length / 2);
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(concat(messageStart(), text(0, "Partial"), half))
                .cutOff());
        List<String> payloads = payloads(client.postChat(chat(null)).body());
        assertErrorBody(payloads.get(payloads.size() - 2), "upstream_unavailable");
    }

    @Test
    void anUnknownEventTypeIsPassedOverAsTheAwsSdksDo() throws Exception {
        bedrock.enqueue(stream(messageStart(), BedrockFrames.event("citationsHint", "{\"p\":\"x\"}"), text(0, "ok"),
                blockStop(0), messageStop("end_turn"), metadata(1, 1)));
        assertEquals("ok", content(chunks(client.postChat(chat(null)))));
        assertTrue(relay.output().contains("\"kind\":\"ignored_event\",\"detail\":\"bedrock:citationsHint\""));
    }

    @Test
    void anExceptionBeforeAnyChunkGetsItsOwnStatus() throws Exception {
        bedrock.enqueue(stream(BedrockFrames.exception("throttlingException", "Too many requests.")));
        bedrock.enqueue(stream(BedrockFrames.exception("throttlingException", "Too many requests.")));
        HttpResponse<String> response = client.postChat(chat(null));
        assertOpenAiError(response, 429, "rate_limit_exceeded");
        assertEquals(2, bedrock.requestCount(), "throttling was retried (429 semantics) before it reached the caller");

        // Before the first byte the relay's own rule for upstream 5xx applies: retried, then 502 saying why.
        bedrock.enqueue(stream(BedrockFrames.corrupt(messageStart())));
        bedrock.enqueue(stream(BedrockFrames.corrupt(messageStart())));
        JsonNode corrupt = assertOpenAiError(client.postChat(chat(null)), 502, "upstream_unavailable");
        assertTrue(corrupt.path("message").asText().contains("checksum failure"), corrupt.toString());
    }

    @Test
    void httpErrorsMapThroughTheTableAndSayWhatToFix() throws Exception {
        bedrock.enqueue(Script.json(403, "{\"message\":\"User: arn:aws:sts::1:assumed-role/r is not"
                + " authorized to perform: bedrock:InvokeModelWithResponseStream\"}")
                .header("x-amzn-ErrorType", "AccessDeniedException:http://internal.amazon.com/coral/com.amazon.bedrock/"));
        JsonNode denied = assertOpenAiError(client.postChat(chat(null)), 403, "upstream_permission_denied");
        assertTrue(denied.path("message").asText().contains("BedrockModelArns"), denied.toString());
        assertTrue(denied.path("message").asText().contains("route 'nova'"), denied.toString());

        bedrock.enqueue(Script.json(400, "{\"message\":\"Malformed input request\"}")
                .header("x-amzn-ErrorType", "ValidationException"));
        assertOpenAiError(client.postChat(chat(null)), 400, null);
    }

    @Test
    void busyUntilTheRetriesRunOutKeeps503And429SemanticsAndRetryAfter() throws Exception {
        for (int i = 0; i < 2; i++) {
            bedrock.enqueue(Script.json(503, "{\"message\":\"Bedrock is unable to process your request.\"}")
                    .header("x-amzn-ErrorType", "ServiceUnavailableException:http://internal.amazon.com/coral/com.amazon.bedrock/")
                    .header("retry-after", "3"));
        }
        HttpResponse<String> unavailable = client.postChat(chat(null));
        JsonNode error = assertOpenAiError(unavailable, 503, "upstream_unavailable");
        assertTrue(error.path("message").asText().contains("ServiceUnavailableException for route 'nova'"), error.toString());
        assertEquals("3", unavailable.headers().firstValue("retry-after").orElse(""));
        assertEquals(2, bedrock.requestCount(), "retried once (the route's retries)");

        bedrock.reset();
        for (int i = 0; i < 2; i++) {
            bedrock.enqueue(Script.json(429, "{\"message\":\"Too many requests, please wait.\"}")
                    .header("x-amzn-ErrorType", "ThrottlingException").header("retry-after", "4"));
        }
        HttpResponse<String> throttled = client.postChat(chat(null));
        assertOpenAiError(throttled, 429, "rate_limit_exceeded");
        assertEquals("4", throttled.headers().firstValue("retry-after").orElse(""));
        assertEquals(2, bedrock.requestCount());

        bedrock.reset();
        bedrock.enqueue(stream(BedrockFrames.exception("serviceUnavailableException", "Try again later.")));
        bedrock.enqueue(stream(BedrockFrames.exception("serviceUnavailableException", "Try again later.")));
        assertOpenAiError(client.postChat(chat(null)), 503, "upstream_unavailable");
        assertEquals(2, bedrock.requestCount());
    }

    @Test
    void credentialRefusalsSayWhichAndNeverTheSecret() throws Exception {
        bedrock.enqueue(Script.json(403,
                "{\"message\":\"The security token included in the request is invalid.\"}")
                .header("x-amzn-ErrorType", "UnrecognizedClientException"));
        HttpResponse<String> rejected = client.postChat(chat(null));
        JsonNode error = assertOpenAiError(rejected, 401, "upstream_authentication_failed");
        assertTrue(error.path("message").asText().contains("AWS credentials were not accepted"), error.toString());
        assertFalse(rejected.body().contains(SECRET_KEY), rejected.body());
        assertEquals(1, bedrock.requestCount(), "not retried");
    }

    @Test
    void imageUrlsAndToolChoiceNoneWithToolHistoryAreRefusedNamingTheParameter() throws Exception {
        JsonNode image = assertOpenAiError(client.postChat("""
                {"model": "claude-on-bedrock", "stream": true, "messages": [{"role": "user", "content": [
                  {"type": "text", "text": "What is this?"},
                  {"type": "image_url", "image_url": {"url": "https://example.com/cat.png"}}]}]}"""), 400, null);
        assertEquals("messages[0].content[1].image_url.url", image.path("param").asText());

        JsonNode none = assertOpenAiError(client.postChat("""
                {"model": "claude-on-bedrock", "stream": true, "tool_choice": "none",
                 "tools": [{"type": "function", "function": {"name": "f"}}],
                 "messages": [{"role": "user", "content": "Hi"},
                   {"role": "assistant", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{}"}}]},
                   {"role": "tool", "tool_call_id": "c1", "content": "done"}]}"""), 400, null);
        assertEquals("tool_choice", none.path("param").asText());
        assertEquals(0, bedrock.requestCount(), "nothing was sent to Bedrock");
    }

    @Test
    void aNonStreamingRequestPostsToConverseAndGetsOneChatCompletion() throws Exception {
        bedrock.enqueue(Script.json(200, """
                {"output": {"message": {"role": "assistant", "content": [{"text": "Sunny."},
                   {"toolUse": {"toolUseId": "tu1", "name": "log", "input": {"n": 1}}}]}},
                 "stopReason": "max_tokens", "usage": {"inputTokens": 8, "outputTokens": 3, "totalTokens": 11},
                 "metrics": {"latencyMs": 120}}"""));
        HttpResponse<String> response = client.postChat(chat(null).replace("\"stream\": true", "\"stream\": false"));
        assertEquals(200, response.statusCode(), response.body());
        JsonNode completion = json(response.body());
        assertEquals(MODEL, completion.path("model").asText(), "the caller's name, not the profile ARN");
        assertEquals("Sunny.", completion.path("choices").get(0).path("message").path("content").asText());
        assertEquals("{\"n\":1}", completion.path("choices").get(0).path("message").path("tool_calls").get(0)
                .path("function").path("arguments").asText());
        assertEquals("length", completion.path("choices").get(0).path("finish_reason").asText());
        assertEquals(11, completion.path("usage").path("total_tokens").asInt());
        assertTrue(bedrock.nextRequest().rawPath().endsWith("%3A0/converse"));
    }

    private static byte[] frameOfMessageType(String type) {
        Map<String, BedrockFrames.Value> headers = new LinkedHashMap<>();
        headers.put(":message-type", BedrockFrames.Value.string(type));
        headers.put(":event-type", BedrockFrames.Value.string("contentBlockDelta"));
        return BedrockFrames.frame(headers, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }
}
