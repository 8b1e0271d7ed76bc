package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import com.openai.core.JsonValue;
import com.openai.core.http.StreamResponse;
import com.openai.errors.SseException;
import com.openai.errors.UnauthorizedException;
import com.openai.helpers.ChatCompletionAccumulator;
import com.openai.models.FunctionDefinition;
import com.openai.models.FunctionParameters;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import com.openai.models.chat.completions.ChatCompletionCreateParams;
import com.openai.models.chat.completions.ChatCompletionMessageFunctionToolCall;
import com.openai.models.chat.completions.ChatCompletionStreamOptions;
import com.openai.models.completions.CompletionUsage;
import com.openai.models.models.Model;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official OpenAI Java SDK ({@code com.openai:openai-java}) as the caller, against {@code serve}
 * (local Function URL, runtime loop, Runtime API, handler) routed to a scripted upstream. The SDK
 * is strict about the wire format, so this is what "works unchanged with the official SDKs" means.
 */
@Timeout(60)
class OpenAiJavaSdkTest {
    private static final String MODEL = "gpt-4o-mini";

    private FakeUpstream upstream;
    private RelayUnderTest relay;
    private OpenAIClient client;

    @BeforeEach
    void start() throws Exception {
        upstream = FakeUpstream.start();
        String config = """
                {"callers": [{"name": "tester", "keySha256": "%s"}],
                 "routes": [{"name": "main", "baseUrl": "%s", "apiKey": "env:UPSTREAM_KEY",
                             "models": ["gpt-4o-mini", "gpt-4.1-nano", "gpt-4o*"], "default": true}]}
                """.formatted(KeyDigest.sha256Hex(RelayUnderTest.CALLER_KEY), upstream.baseUrl());
        relay = RelayUnderTest.serve(config, RelayUnderTest.upstreamKeyEnv());
        client = client(RelayUnderTest.CALLER_KEY);
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (client != null) {
                client.close();
            }
            if (relay != null) {
                String output = relay.output();
                assertFalse(output.contains(RelayUnderTest.CALLER_KEY), "the caller key was printed");
                assertFalse(output.contains(RelayUnderTest.UPSTREAM_KEY), "the upstream key was printed");
            }
        } finally {
            if (relay != null) {
                relay.close();
            }
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    private OpenAIClient client(String apiKey) {
        return OpenAIOkHttpClient.builder()
                .baseUrl(relay.baseUrl().toString())
                .apiKey(apiKey)
                .maxRetries(0) // a retry would hide what the relay answered first
                .build();
    }

    private static ChatCompletionCreateParams.Builder chat(String userMessage) {
        return ChatCompletionCreateParams.builder().model(MODEL).addUserMessage(userMessage);
    }

    private static String content(ChatCompletionChunk chunk) {
        return chunk.choices().isEmpty() ? "" : chunk.choices().get(0).delta().content().orElse("");
    }

    @Test
    void theFirstChunkReachesTheSdkWhileTheUpstreamHoldsTheRestBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Hel"))
                .gate(gate)
                .chunk(Chunks.content("lo, "))
                .chunk(Chunks.content("wörld"))
                .chunk(Chunks.content(" \"quoted\" ✓"))
                .chunk(Chunks.finish("stop"))
                .done());
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(chat("Say hello").build())) {
            Iterator<ChatCompletionChunk> it = stream.stream().iterator();
            // Both chunks before the gate must be in the SDK's hands while the upstream waits.
            assertTrue(it.hasNext());
            chunks.add(it.next());
            assertTrue(it.hasNext());
            chunks.add(it.next());
            assertEquals(1, gate.getCount(), "the gate is still closed");
            assertEquals("assistant", chunks.get(0).choices().get(0).delta().role().orElseThrow().asString());
            assertEquals("Hel", content(chunks.get(1)));
            gate.countDown(); // only now may the upstream send the rest
            it.forEachRemaining(chunks::add);
        } finally {
            gate.countDown();
        }
        assertEquals(6, chunks.size(), "every chunk arrives, [DONE] is not one");
        assertEquals("Hello, wörld \"quoted\" ✓", chunks.stream().map(OpenAiJavaSdkTest::content).collect(Collectors.joining()));
        for (ChatCompletionChunk chunk : chunks) {
            assertEquals("chatcmpl-up1", chunk.id());
            assertEquals("gpt-4o-mini-2024-07-18", chunk.model());
            assertEquals(1700000000L, chunk.created());
            chunk.validate(); // every required field is there with the right type
        }
        assertEquals(ChatCompletionChunk.Choice.FinishReason.STOP,
                chunks.get(5).choices().get(0).finishReason().orElseThrow());

        FakeUpstream.Recorded request = upstream.nextRequest();
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, request.header("authorization"));
        assertTrue(request.body().path("stream").asBoolean(), "stream: true reaches the upstream");
        assertEquals(MODEL, request.body().path("model").asText());
    }

    @Test
    void toolCallDeltasAndTheUsageChunkArriveAndAccumulate() throws Exception {
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.toolCallStart(0, "call_w1", "get_weather"))
                .chunk(Chunks.toolCallArguments(0, "{\"city\":"))
                .chunk(Chunks.toolCallArguments(0, "\"Paris\"}"))
                .chunk(Chunks.toolCallStart(1, "call_t2", "get_time"))
                .chunk(Chunks.toolCallArguments(1, "{\"tz\":\"CET\"}"))
                .chunk(Chunks.finish("tool_calls"))
                .chunk(Chunks.usage(42, 17))
                .done());
        ChatCompletionCreateParams params = chat("Weather and time in Paris?")
                .addFunctionTool(function("get_weather", "city"))
                .addFunctionTool(function("get_time", "tz"))
                .streamOptions(ChatCompletionStreamOptions.builder().includeUsage(true).build())
                .build();
        ChatCompletionAccumulator accumulator = ChatCompletionAccumulator.create();
        List<ChatCompletionChunk> chunks = new ArrayList<>();
        try (StreamResponse<ChatCompletionChunk> stream = client.chat().completions().createStreaming(params)) {
            stream.stream().forEach(chunk -> chunks.add(accumulator.accumulate(chunk)));
        }
        assertEquals(8, chunks.size());

        ChatCompletionChunk.Choice.Delta.ToolCall first = chunks.get(1).choices().get(0).delta().toolCalls().orElseThrow().get(0);
        assertEquals(0L, first.index());
        assertEquals("call_w1", first.id().orElseThrow());
        assertEquals("get_weather", first.function().orElseThrow().name().orElseThrow());

        ChatCompletionChunk usageChunk = chunks.get(7);
        assertTrue(usageChunk.choices().isEmpty(), "the usage chunk has choices: []");
        CompletionUsage usage = usageChunk.usage().orElseThrow();
        assertEquals(42L, usage.promptTokens());
        assertEquals(17L, usage.completionTokens());
        assertEquals(59L, usage.totalTokens());

        ChatCompletion whole = accumulator.chatCompletion();
        assertEquals(ChatCompletion.Choice.FinishReason.TOOL_CALLS, whole.choices().get(0).finishReason());
        List<ChatCompletionMessageFunctionToolCall> calls = whole.choices().get(0).message().toolCalls().orElseThrow()
                .stream().map(call -> call.function().orElseThrow()).toList();
        assertEquals(2, calls.size());
        assertEquals("call_w1", calls.get(0).id());
        assertEquals("get_weather", calls.get(0).function().name());
        assertEquals("{\"city\":\"Paris\"}", calls.get(0).function().arguments());
        assertEquals("call_t2", calls.get(1).id());
        assertEquals("get_time", calls.get(1).function().name());
        assertEquals("{\"tz\":\"CET\"}", calls.get(1).function().arguments());
        assertEquals(59L, whole.usage().orElseThrow().totalTokens());

        JsonNode sent = upstream.nextRequest().body();
        assertEquals(2, sent.path("tools").size(), "tools pass through untouched");
        assertEquals("get_weather", sent.path("tools").get(0).path("function").path("name").asText());
        assertTrue(sent.path("stream_options").path("include_usage").asBoolean(), "stream_options pass through");
    }

    private static FunctionDefinition function(String name, String parameter) {
        return FunctionDefinition.builder()
                .name(name)
                .parameters(FunctionParameters.builder()
                        .putAdditionalProperty("type", JsonValue.from("object"))
                        .putAdditionalProperty("properties", JsonValue.from(Map.of(parameter, Map.of("type", "string"))))
                        .build())
                .build();
    }

    @Test
    void aNonStreamingRequestReturnsAValidChatCompletion() throws Exception {
        upstream.enqueue(Script.json(200, Chunks.completion("Hi there, how can I help?")));
        ChatCompletion completion = client.chat().completions().create(chat("Hi").build());
        completion.validate();
        assertEquals("chatcmpl-up2", completion.id());
        assertEquals("Hi there, how can I help?", completion.choices().get(0).message().content().orElseThrow());
        assertEquals(ChatCompletion.Choice.FinishReason.STOP, completion.choices().get(0).finishReason());
        assertEquals(7L, completion.usage().orElseThrow().totalTokens());
        assertFalse(upstream.nextRequest().body().path("stream").asBoolean(false), "no stream: true for create()");
    }

    @Test
    void modelsListNamesTheConfiguredModels() {
        List<Model> models = client.models().list().data();
        assertEquals(List.of("gpt-4o-mini", "gpt-4.1-nano"), models.stream().map(Model::id).toList(),
                "exact model names, in config order; globs are not models");
        models.forEach(Model::validate);
        assertEquals(0, upstream.requestCount(), "listing models never calls the upstream");
    }

    @Test
    void anErrorAfterTheFirstByteMakesTheSdkThrowAndTheRelayServesTheNextRequest() throws Exception {
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Partial"))
                .chunk(Chunks.error("The server had an error while processing your request.", "server_error", null)));
        List<String> received = new ArrayList<>();
        SseException failure;
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(chat("Tell me a story").build())) {
            failure = assertThrows(SseException.class,
                    () -> stream.stream().forEach(chunk -> received.add(content(chunk))));
        }
        assertEquals(List.of("", "Partial"), received, "the chunks before the error still arrive");
        assertTrue(failure.getMessage().contains("The server had an error while processing your request."),
                failure.getMessage());
        assertEquals("server_error", failure.type().orElseThrow());
        assertEquals(200, failure.statusCode(), "the HTTP status was 200 before the error: it is mid-stream");
        upstream.nextRequest();

        // The same relay (and environment pool) answers the next request normally.
        upstream.enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Next one")).chunk(Chunks.finish("stop")).done());
        String text;
        try (StreamResponse<ChatCompletionChunk> stream =
                client.chat().completions().createStreaming(chat("Again").build())) {
            text = stream.stream().map(OpenAiJavaSdkTest::content).collect(Collectors.joining());
        }
        assertEquals("Next one", text);
        upstream.nextRequest();
    }

    @Test
    void aWrongCallerKeyIsTheSdks401Exception() throws Exception {
        OpenAIClient stranger = client("rk-not-a-caller-key-000000");
        try {
            UnauthorizedException streaming = assertThrows(UnauthorizedException.class,
                    () -> stranger.chat().completions().createStreaming(chat("Hi").build()).close());
            assertEquals(401, streaming.statusCode());
            assertEquals("invalid_api_key", streaming.code().orElseThrow());

            UnauthorizedException whole = assertThrows(UnauthorizedException.class,
                    () -> stranger.chat().completions().create(chat("Hi").build()));
            assertEquals("invalid_api_key", whole.code().orElseThrow());

            assertThrows(UnauthorizedException.class, () -> stranger.models().list());
        } finally {
            stranger.close();
        }
        assertEquals(0, upstream.requestCount(), "a refused caller never reaches the upstream");
    }
}
