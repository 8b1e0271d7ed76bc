package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import io.llmrelay.json.Json;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.BedrockFrames;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official OpenAI Java SDK reading streams translated from Anthropic and from Bedrock: what it
 * accumulates (text, tool calls with arguments it can parse, finish reason, usage) is what the
 * provider said. The SDK validates every chunk, so a field out of place fails here.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProviderRoutesJavaSdkTest {
    private static FakeUpstream anthropic;
    private static FakeUpstream bedrock;
    private static RelayUnderTest relay;
    private static OpenAIClient client;

    @BeforeAll
    static void start() throws Exception {
        anthropic = FakeUpstream.startProvider();
        bedrock = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + anthropic.url("/v1")
                        + "\", \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"claude-sdk\"], \"retries\": 0}",
                "{\"name\": \"nova\", \"type\": \"bedrock\", \"region\": \"us-east-1\", \"baseUrl\": \"" + bedrock.url("")
                        + "\", \"models\": [\"amazon.nova-lite-v1:0\"], \"retries\": 0}");
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        relay = RelayUnderTest.serve(config, env);
        client = OpenAIOkHttpClient.builder().baseUrl(relay.baseUrl().toString()).apiKey(RelayUnderTest.CALLER_KEY)
                .maxRetries(0).build();
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.close();
            relay.close();
        } finally {
            anthropic.close();
            bedrock.close();
        }
    }

    private static ChatCompletionCreateParams.Builder chat(String model) {
        return ChatCompletionCreateParams.builder().model(model).addUserMessage("Weather and time in Paris?")
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build());
    }

    private static FunctionDefinition function(String name) {
        return FunctionDefinition.builder().name(name).parameters(FunctionParameters.builder()
                .putAdditionalProperty("type", JsonValue.from("object")).build()).build();
    }

    private static ChatCompletion accumulate(ChatCompletionCreateParams params, List<ChatCompletionChunk> seen) {
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> {
                chunk.validate();
                seen.add(accumulator.accumulate(chunk));
            });
        }
        return accumulator.chatCompletion();
    }

    private static void assertToolCalls(ChatCompletion whole) throws Exception {
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, whole.choices().get(0).finishReason());
        List<ChatCompletionMessageFunctionToolCall> calls = whole.choices().get(0).message().toolCalls().orElseThrow()
                .stream().map(call -> call.function().orElseThrow()).toList();
        assertEquals(List.of("get_weather", "get_time"), calls.stream().map(c -> c.function().name()).toList());
        JsonNode weather = Json.MAPPER.readTree(calls.get(0).function().arguments());
        assertEquals("Paris", weather.path("city").asText(), "arguments parse as the JSON the model wrote");
        assertEquals(Json.object(), Json.MAPPER.readTree(calls.get(1).function().arguments()));
        assertEquals("Let me look.", whole.choices().get(0).message().content().orElseThrow());
    }

    @Test
    void anthropicTextAndToolCallsAccumulateInTheSdk() throws Exception {
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.text(12, 4, "max_tokens", "Bonjour", " Paris")));
        ChatCompletion text = accumulate(chat("claude-sdk").build(), new ArrayList<>());
        assertEquals("Bonjour Paris", text.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.LENGTH, text.choices().get(0).finishReason());
        assertEquals(16L, text.usage().orElseThrow().totalTokens());

        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.messageStart(20)
                + AnthropicSse.textStart(0) + AnthropicSse.textDelta(0, "Let me look.") + AnthropicSse.blockStop(0)
                + AnthropicSse.toolStart(1, "toolu_w", "get_weather") + AnthropicSse.inputJson(1, "{\"city\":")
                + AnthropicSse.inputJson(1, " \"Paris\"}") + AnthropicSse.blockStop(1)
                + AnthropicSse.toolStart(2, "toolu_t", "get_time") + AnthropicSse.inputJson(2, "{}") + AnthropicSse.blockStop(2)
                + AnthropicSse.messageDelta("tool_use", 30) + AnthropicSse.messageStop()));
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        ChatCompletion tools = accumulate(chat("claude-sdk").addFunctionTool(function("get_weather"))
                .addFunctionTool(function("get_time")).build(), chunks);
        assertToolCalls(tools);
        assertEquals(50L, tools.usage().orElseThrow().totalTokens());
        assertTrue(chunks.get(chunks.size() - 1).choices().isEmpty(), "the last chunk is the usage chunk");
    }

    @Test
    void bedrockTextAndToolCallsAccumulateInTheSdk() throws Exception {
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(
                BedrockFrames.textAnswer("end_turn", 9, 3, "Il fait", " beau.")));
        ChatCompletion text = accumulate(chat("amazon.nova-lite-v1:0").build(), new ArrayList<>());
        assertEquals("Il fait beau.", text.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, text.choices().get(0).finishReason());
        assertEquals(12L, text.usage().orElseThrow().totalTokens());

        byte[] frames = BedrockFrames.concat(BedrockFrames.messageStart(), BedrockFrames.text(0, "Let me look."),
                BedrockFrames.blockStop(0), BedrockFrames.toolStart(1, "tooluse_w", "get_weather"),
                BedrockFrames.toolInput(1, "{\"city\": \"Par"), BedrockFrames.toolInput(1, "is\"}"), BedrockFrames.blockStop(1),
                BedrockFrames.toolStart(2, "tooluse_t", "get_time"), BedrockFrames.blockStop(2),
                BedrockFrames.messageStop("tool_use"), BedrockFrames.metadata(25, 15));
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(frames));
        ChatCompletion tools = accumulate(chat("amazon.nova-lite-v1:0").addFunctionTool(function("get_weather"))
                .addFunctionTool(function("get_time")).build(), new ArrayList<>());
        assertToolCalls(tools);
        assertEquals(40L, tools.usage().orElseThrow().totalTokens());
        assertFalse(relay.output().contains("wJalrXUtnFEMI"), "the AWS secret key is never printed");
    }
}
