package io.llmrelay.upstream.translation;

import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.BedrockFrames;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.net.URLDecoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Issue 11: every chunk a translated stream carries, and the whole {@code chat.completion} of a
 * non-streaming request, names the model as the caller asked for it, not the name the route sends
 * upstream ({@code upstreamModel}). A property over generated model names (quotes, backslashes,
 * non-ASCII, spaces, ARN-like colons and slashes) on an {@code anthropic} and a {@code bedrock}
 * route that both rename, streaming and not, with and without tool calls and a usage chunk.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallerModelNameTest {
    private static final String CLAUDE_UPSTREAM = "claude-sonnet-4-5-20250929";
    private static final String NOVA_UPSTREAM = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.amazon.nova-pro-v1:0";
    private static final String ALPHABET = "abcXYZ019-_.:/ \"\\'é✓日本\u00a0+*";
    private static final int CASES = 48;
    private static FakeUpstream anthropic;
    private static FakeUpstream bedrock;
    private static RelayUnderTest relay;
    private static RelayClient client;

    @BeforeAll
    static void start() throws Exception {
        anthropic = FakeUpstream.startProvider();
        bedrock = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + anthropic.url("/v1") + "\","
                        + " \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"claude-*\"], \"upstreamModel\": \""
                        + CLAUDE_UPSTREAM + "\", \"retries\": 0}",
                "{\"name\": \"nova\", \"type\": \"bedrock\", \"region\": \"us-east-1\", \"baseUrl\": \"" + bedrock.url("")
                        + "\", \"models\": [\"nova-*\"], \"upstreamModel\": \"" + NOVA_UPSTREAM + "\", \"retries\": 0}");
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        env.put("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
        env.put("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        relay = RelayUnderTest.serve(config, env);
        client = new RelayClient(relay);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.assertNoKeyLeaked();
            relay.close();
        } finally {
            anthropic.close();
            bedrock.close();
        }
    }

    @Test
    void everyChunkAndEveryCompletionNamesTheCallersModel() throws Exception {
        Random random = new Random(1111);
        for (int i = 0; i < CASES; i++) {
            boolean toAnthropic = random.nextBoolean();
            boolean stream = random.nextInt(3) > 0;
            boolean tools = random.nextBoolean();
            boolean usage = random.nextBoolean();
            String model = (toAnthropic ? "claude-" : "nova-") + suffix(random);
            String what = "case " + i + ": " + model + (stream ? " streaming" : " whole") + (tools ? " tools" : "")
                    + (usage ? " usage" : "");
            (toAnthropic ? anthropic : bedrock).enqueue(answer(toAnthropic, stream, tools));

            HttpResponse<String> response = client.postChat(request(model, stream, usage));

            assertEquals(200, response.statusCode(), () -> what + "\n" + response.body());
            if (stream) {
                List<JsonNode> chunks = chunks(response, what);
                assertEquals((tools ? 5 : 3) + (usage ? 1 : 0), chunks.size(), what);
                for (JsonNode chunk : chunks) {
                    assertEquals(model, chunk.path("model").asText(), what + ": " + chunk);
                }
            } else {
                JsonNode completion = json(response.body());
                assertEquals("chat.completion", completion.path("object").asText(), what);
                assertEquals(model, completion.path("model").asText(), what);
            }
            assertEquals(toAnthropic ? CLAUDE_UPSTREAM : NOVA_UPSTREAM, upstreamModel(toAnthropic), what);
        }
    }

    /** 1 to 12 characters that the glob's {@code *} takes, JSON-special and non-ASCII ones among them. */
    private static String suffix(Random random) {
        StringBuilder suffix = new StringBuilder();
        for (int n = 1 + random.nextInt(12); n > 0; n--) {
            int at = random.nextInt(ALPHABET.length());
            suffix.append(ALPHABET.charAt(at));
        }
        return suffix.toString();
    }

    private static String request(String model, boolean stream, boolean usage) {
        return "{\"model\": " + Json.write(model) + ", \"stream\": " + stream
                + (stream && usage ? ", \"stream_options\": {\"include_usage\": true}" : "")
                + ", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}";
    }

    /** What the provider answers: text only (role, text, finish) or text and one tool call. */
    private static Script answer(boolean anthropicAnswer, boolean stream, boolean tools) {
        if (!stream) {
            return anthropicAnswer
                    ? Script.json(200, "{\"id\": \"msg_1\", \"type\": \"message\", \"role\":"
                            + " \"assistant\", \"model\": \"" + CLAUDE_UPSTREAM + "\", \"content\": [{\"type\": \"text\","
                            + " \"text\": \"Hello\"}], \"stop_reason\": \"end_turn\", \"usage\": {\"input_tokens\": 3,"
                            + " \"output_tokens\": 1}}")
                    : Script.json(200, "{\"output\": {\"message\": {\"role\": \"assistant\","
                            + " \"content\": [{\"text\": \"Hello\"}]}}, \"stopReason\": \"end_turn\", \"usage\":"
                            + " {\"inputTokens\": 3, \"outputTokens\": 1, \"totalTokens\": 4}}");
        }
        if (anthropicAnswer) {
            String sse = !tools ? AnthropicSse.text(3, 1, "end_turn", "Hello")
                    : AnthropicSse.messageStart(3) + AnthropicSse.textStart(0) + AnthropicSse.textDelta(0, "Hello")
                            + AnthropicSse.blockStop(0) + AnthropicSse.toolStart(1, "toolu_1", "f")
                            + AnthropicSse.inputJson(1, "{}") + AnthropicSse.blockStop(1)
                            + AnthropicSse.messageDelta("tool_use", 2) + AnthropicSse.messageStop();
            return Script.stream(AnthropicSse.CONTENT_TYPE).raw(sse);
        }
        if (!tools) {
            return Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(BedrockFrames.textAnswer("end_turn", 3, 1, "Hello"));
        }
        byte[] frames = BedrockFrames.concat(BedrockFrames.messageStart(), BedrockFrames.text(0, "Hello"), BedrockFrames.blockStop(0),
                BedrockFrames.toolStart(1, "tooluse_1", "f"), BedrockFrames.toolInput(1, "{}"), BedrockFrames.blockStop(1),
                BedrockFrames.messageStop("tool_use"), BedrockFrames.metadata(3, 2));
        return Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(frames);
    }

    private static List<JsonNode> chunks(HttpResponse<String> response, String what) {
        List<String> payloads = payloads(response.body());
        assertEquals("[DONE]", payloads.get(payloads.size() - 1), what);
        List<JsonNode> chunks = payloads.subList(0, payloads.size() - 1).stream().map(RelayClient::json).toList();
        chunks.forEach(chunk -> assertFalse(chunk.has("error"), what + ": " + chunk));
        return chunks;
    }

    /** The model name the provider was asked for: Anthropic's body {@code model}, Bedrock's path segment. */
    private static String upstreamModel(boolean toAnthropic) throws InterruptedException {
        if (toAnthropic) {
            return anthropic.nextRequest().body().path("model").asText();
        }
        String path = bedrock.nextRequest().rawPath();
        assertTrue(path.startsWith("/model/"), path);
        String segment = path.substring("/model/".length(), path.lastIndexOf('/'));
        return URLDecoder.decode(segment, StandardCharsets.UTF_8);
    }
}
