package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.BedrockFrames;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.NodeScript;
import io.llmrelay.testing.RelayUnderTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official npm {@code openai} client (v6) reading streams translated from Anthropic and from
 * Bedrock, as {@code ProviderRoutesJavaSdkTest} does with the Java SDK: through the client's own
 * accumulator ({@code client.chat.completions.stream()}, which refuses chunks that do not add up),
 * the exact text, the tool calls with the arguments the client parsed itself, the finish reason and
 * the usage; every chunk names the caller's model although both routes rename it upstream; and an
 * error after the first byte is the client's {@code APIError}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // the first run installs the client from npm
class ProviderRoutesNodeClientTest {
    private static final String CLAUDE = "claude-node";
    private static final String NOVA = "nova-node";
    /** Two strict tools: the client JSON-parses the arguments of strict tools itself. */
    private static final String TOOLS = """
            "tools": [{"type": "function", "function": {"name": "get_weather", "strict": true, "parameters":
                        {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"],
                         "additionalProperties": false}}},
                      {"type": "function", "function": {"name": "get_time", "strict": true, "parameters":
                        {"type": "object", "properties": {}, "additionalProperties": false}}}]""";
    private static final String USAGE = "\"stream_options\": {\"include_usage\": true}";

    private static FakeUpstream anthropic;
    private static FakeUpstream bedrock;
    private static RelayUnderTest relay;

    @BeforeAll
    static void start() throws Exception {
        NodeClient.install();
        anthropic = FakeUpstream.startProvider();
        bedrock = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + anthropic.url("/v1")
                        + "\", \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"" + CLAUDE + "\"],"
                        + " \"upstreamModel\": \"claude-sonnet-4-5\", \"retries\": 0}",
                "{\"name\": \"nova\", \"type\": \"bedrock\", \"region\": \"us-east-1\", \"baseUrl\": \"" + bedrock.url("")
                        + "\", \"models\": [\"" + NOVA + "\"], \"upstreamModel\": \"amazon.nova-lite-v1:0\", \"retries\": 0}");
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        relay = RelayUnderTest.serve(config, env);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            if (relay != null) {
                assertFalse(relay.output().contains("wJalrXUtnFEMI"), "the AWS secret key is never printed");
                relay.close();
            }
        } finally {
            if (anthropic != null) {
                anthropic.close();
            }
            if (bedrock != null) {
                bedrock.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        anthropic.reset();
        bedrock.reset();
    }

    /** What one accumulated run printed: its chunk lines and the client's final completion. */
    private record Accumulated(List<JsonNode> chunks, JsonNode completion) {}

    private static Accumulated accumulate(String model, String extraFields) throws Exception {
        try (NodeScript client = NodeClient.start(relay, RelayUnderTest.CALLER_KEY, model, "Weather and time in Paris?",
                "{" + extraFields + "}")) {
            List<JsonNode> chunks = new ArrayList<>();
            JsonNode line;
            while ((line = client.next()).path("type").asText().equals("chunk")) {
                chunks.add(line);
            }
            assertEquals("final", line.path("type").asText(), "the client's accumulator took every chunk: " + line
                    + client.diagnostics());
            JsonNode end = client.next();
            assertEquals("end", end.path("type").asText(), end + client.diagnostics());
            assertEquals(1, end.path("doneEvents").asInt(), "exactly one data: [DONE]");
            assertTrue(end.path("endsWithDone").asBoolean(), "data: [DONE] is the last event");
            assertEquals(0, client.exitCode(), client.diagnostics());
            for (JsonNode chunk : chunks) {
                assertEquals(model, chunk.path("model").asText(), "the caller's model name: " + chunk);
                assertEquals("chat.completion.chunk", chunk.path("object").asText());
            }
            assertEquals("assistant", chunks.get(0).path("role").asText(), "the first chunk carries the role");
            assertEquals(model, line.path("model").asText());
            return new Accumulated(chunks, line);
        }
    }

    private static void assertToolCalls(Accumulated run, long totalTokens) {
        JsonNode completion = run.completion();
        assertEquals("tool_calls", completion.path("finish").asText());
        assertEquals("Let me look.", completion.path("content").asText());
        JsonNode calls = completion.path("toolCalls");
        assertEquals(2, calls.size(), completion.toString());
        assertEquals("get_weather", calls.get(0).path("name").asText());
        assertEquals("function", calls.get(0).path("type").asText());
        assertEquals(Json.object().put("city", "Paris"), calls.get(0).path("parsedArguments"),
                "the client parsed the arguments the model wrote");
        assertEquals("get_time", calls.get(1).path("name").asText());
        assertEquals(Json.object(), calls.get(1).path("parsedArguments"), "a call without input has {} as arguments");
        assertFalse(calls.get(0).path("id").asText().equals(calls.get(1).path("id").asText()));
        assertEquals(totalTokens, completion.path("usage").path("total_tokens").asLong());
        JsonNode last = run.chunks().get(run.chunks().size() - 1);
        assertEquals(0, last.path("choices").asInt(), "the last chunk is the usage chunk, choices: []");
        assertEquals(totalTokens, last.path("usage").path("total_tokens").asLong());
    }

    @Test
    void anthropicTextAndToolCallsAccumulateInTheNodeClient() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.text(12, 4, "max_tokens",
                "Bonjour", " Paris ✓ \"q\"")));
        Accumulated text = accumulate(CLAUDE, USAGE);
        assertEquals("Bonjour Paris ✓ \"q\"", text.completion().path("content").asText());
        assertEquals("length", text.completion().path("finish").asText());
        assertEquals(16, text.completion().path("usage").path("total_tokens").asInt());
        assertEquals(0, text.completion().path("toolCalls").size());

        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.messageStart(20)
                + AnthropicSse.textStart(0) + AnthropicSse.textDelta(0, "Let me look.") + AnthropicSse.blockStop(0)
                + AnthropicSse.toolStart(1, "toolu_w", "get_weather") + AnthropicSse.inputJson(1, "{\"city\":")
                + AnthropicSse.inputJson(1, " \"Paris\"}") + AnthropicSse.blockStop(1)
                + AnthropicSse.toolStart(2, "toolu_t", "get_time") + AnthropicSse.blockStop(2)
                + AnthropicSse.messageDelta("tool_use", 30) + AnthropicSse.messageStop()));
        assertToolCalls(accumulate(CLAUDE, USAGE + ", " + TOOLS), 50);
        assertEquals("claude-sonnet-4-5", anthropic.nextRequest().body().path("model").asText());
    }

    @Test
    void bedrockTextAndToolCallsAccumulateInTheNodeClient() throws Exception {
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(
                BedrockFrames.textAnswer("end_turn", 9, 3, "Il fait", " beau.")));
        Accumulated text = accumulate(NOVA, USAGE);
        assertEquals("Il fait beau.", text.completion().path("content").asText());
        assertEquals("stop", text.completion().path("finish").asText());
        assertEquals(12, text.completion().path("usage").path("total_tokens").asInt());

        byte[] frames = BedrockFrames.concat(BedrockFrames.messageStart(), BedrockFrames.text(0, "Let me look."),
                BedrockFrames.blockStop(0), BedrockFrames.toolStart(1, "tooluse_w", "get_weather"),
                BedrockFrames.toolInput(1, "{\"city\": \"Par"), BedrockFrames.toolInput(1, "is\"}"), BedrockFrames.blockStop(1),
                BedrockFrames.toolStart(2, "tooluse_t", "get_time"), BedrockFrames.blockStop(2),
                BedrockFrames.messageStop("tool_use"), BedrockFrames.metadata(25, 15));
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(frames));
        assertToolCalls(accumulate(NOVA, USAGE + ", " + TOOLS), 40);
        assertTrue(bedrock.nextRequest().rawPath().startsWith("/model/amazon.nova-lite-v1%3A0/"));
    }

    @Test
    void anErrorEventOrExceptionFrameAfterTheFirstByteIsTheNodeClientsApiError() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.messageStart(3)
                + AnthropicSse.textStart(0) + AnthropicSse.textDelta(0, "Partial")
                + AnthropicSse.error("overloaded_error", "Overloaded")));
        assertApiErrorAfterPartial(CLAUDE, "overloaded_error", "upstream_overloaded");

        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(BedrockFrames.concat(BedrockFrames.messageStart(),
                BedrockFrames.text(0, "Partial"), BedrockFrames.exception("modelStreamErrorException", "The model failed."))));
        assertApiErrorAfterPartial(NOVA, "modelStreamErrorException", "upstream_error");
    }

    private static void assertApiErrorAfterPartial(String model, String providerType, String code) throws Exception {
        try (NodeScript client = NodeClient.start(relay, RelayUnderTest.CALLER_KEY, model, "Tell me a story")) {
            assertEquals("assistant", client.next().path("role").asText());
            assertEquals("Partial", client.next().path("content").asText());
            JsonNode error = client.next();
            assertEquals("error", error.path("type").asText(), error + client.diagnostics());
            assertEquals("APIError", error.path("class").asText(), error.toString());
            assertTrue(error.path("isAPIError").asBoolean());
            assertEquals(code, error.path("code").asText(), error.toString());
            assertTrue(error.path("message").asText().contains(providerType), error.toString());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
    }
}
