package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's "token usage always known, callers see only what they asked for", through serve
 * against an OpenAI-compatible upstream that honours {@code stream_options.include_usage} as
 * OpenAI documents it: a last chunk with {@code "choices": []} and the usage.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UsageThroughServeTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true"),
            RelayUnderTest.route("plain", upstream.baseUrl(), "[\"no-usage-model\"]", "\"requestUsage\": false")));

    private static final String ASKED = "\"stream_options\": {\"include_usage\": true}";

    private static String chat(String model, boolean stream, String extra) {
        return "{\"model\": \"" + model + "\", \"stream\": " + stream + ", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]"
                + (extra == null ? "" : ", " + extra) + "}";
    }

    private static String sse(List<String> chunks) {
        StringBuilder body = new StringBuilder();
        chunks.forEach(chunk -> body.append("data: ").append(chunk).append("\n\n"));
        return body.append("data: [DONE]\n\n").toString();
    }

    private static Script script(List<String> chunks) {
        Script script = Script.sse(200);
        chunks.forEach(script::chunk);
        return script.done();
    }

    private static JsonNode logLine(HttpResponse<String> response) throws InterruptedException {
        return LogLines.requestLine(served.relay(), LogLines.requestId(response));
    }

    @Test
    void aCallerThatDidNotAskGetsEveryOtherChunkExactlyAndTheLogHasTheCounts() throws Exception {
        List<String> content = List.of(Chunks.role(), Chunks.content("Hel"), Chunks.content("lo"), Chunks.finish("stop"));
        List<String> upstream = new ArrayList<>(content);
        upstream.add(Chunks.usage(12, 5));
        served.upstream().enqueue(script(upstream));

        HttpResponse<String> response = served.client().postChat(chat("gpt-4o-mini", true, null));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(sse(content), response.body(), "every chunk but the usage chunk, byte for byte");
        JsonNode sent = json(new String(served.upstream().nextRequest().rawBody(), StandardCharsets.UTF_8));
        assertTrue(sent.path("stream_options").path("include_usage").asBoolean(false), sent.toString());
        JsonNode line = logLine(response);
        assertEquals(12, line.path("promptTokens").asLong(), line.toString());
        assertEquals(5, line.path("completionTokens").asLong(), line.toString());
    }

    @Test
    void aCallerThatAskedGetsTheUsageChunkUnchanged() throws Exception {
        List<String> upstream = List.of(Chunks.role(), Chunks.content("Hi"), Chunks.finish("stop"), Chunks.usage(7, 1));
        served.upstream().enqueue(script(upstream));
        String request = chat("gpt-4o-mini", true, ASKED);

        HttpResponse<String> response = served.client().postChat(request);

        assertEquals(sse(upstream), response.body());
        assertEquals(json(request), served.upstream().nextRequest().body(), "the caller's own ask, nothing added");
        JsonNode line = logLine(response);
        assertEquals(7, line.path("promptTokens").asLong());
        assertEquals(1, line.path("completionTokens").asLong());
    }

    @Test
    void usageOnTheLastContentChunkStaysInThatChunk() throws Exception {
        String last = Chunks.finish("stop").replaceFirst("}$", ",\"usage\":{\"prompt_tokens\":30,\"completion_tokens\":9}}");
        List<String> upstream = List.of(Chunks.role(), Chunks.content("Hi"), last);
        served.upstream().enqueue(script(upstream));

        HttpResponse<String> response = served.client().postChat(chat("gpt-4o-mini", true, null));

        assertEquals(sse(upstream), response.body(), "a chunk with choices goes on whole");
        JsonNode line = logLine(response);
        assertEquals(30, line.path("promptTokens").asLong());
        assertEquals(9, line.path("completionTokens").asLong());
    }

    @Test
    void aNonStreamingAnswersUsageIsLogged() throws Exception {
        served.upstream().enqueue(Script.json(200, Chunks.completion("Hello")));

        HttpResponse<String> response = served.client().postChat(chat("gpt-4o-mini", false, null));

        assertEquals(Chunks.completion("Hello"), response.body());
        assertFalse(served.upstream().nextRequest().body().has("stream_options"), "nothing to ask for without a stream");
        JsonNode line = logLine(response);
        assertEquals(5, line.path("promptTokens").asLong());
        assertEquals(2, line.path("completionTokens").asLong());
    }

    @Test
    void aRouteThatDoesNotAskSendsTheCallersBodyAndLogsNoGuess() throws Exception {
        List<String> upstream = List.of(Chunks.role(), Chunks.content("Hi"), Chunks.finish("stop"));
        served.upstream().enqueue(script(upstream));
        String request = chat("no-usage-model", true, null);

        HttpResponse<String> response = served.client().postChat(request);

        assertEquals(sse(upstream), response.body());
        assertEquals(json(request), served.upstream().nextRequest().body());
        JsonNode line = logLine(response);
        assertFalse(line.has("promptTokens") || line.has("completionTokens"), "unknown is absent: " + line);
    }

    /**
     * As a property over generated streams: any caller ask (none, false, true, among other
     * stream_options), any place the upstream reports usage (its own chunk, the last content chunk,
     * nowhere), any chunk text: the caller gets exactly the chunks it would have got had the relay
     * not asked, and the log line has what the upstream reported, or nothing.
     */
    @Test
    void property_callersGetWhatTheyAskedForAndTheLogWhatTheUpstreamSaid() throws Exception {
        Random random = new Random(1114);
        String[] texts = {"a", " wörld", "\\\"q\\\"", "\\u00e9", "😀", "", "line\\nbreak"};
        for (int i = 0; i < 40; i++) {
            String ask = List.of("", "\"stream_options\": {\"include_usage\": false, \"x\": 1}", ASKED,
                    "\"stream_options\": null").get(random.nextInt(4));
            boolean callerAsked = ask.equals(ASKED);
            int style = random.nextInt(3);
            long prompt = random.nextInt(100_000);
            long completion = random.nextInt(4_000);
            String usage = "{\"prompt_tokens\":" + prompt + ",\"completion_tokens\":" + completion + ",\"total_tokens\":"
                    + (prompt + completion) + "}";
            List<String> content = new ArrayList<>(List.of(Chunks.role()));
            for (int n = random.nextInt(5); n > 0; n--) {
                content.add("{\"id\":\"chatcmpl-p\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + texts[random.nextInt(texts.length)] + "\"}}]}");
            }
            String finish = Chunks.finish("stop");
            content.add(style == 1 ? finish.replaceFirst("}$", ",\"usage\":" + usage + "}") : finish);
            List<String> upstream = new ArrayList<>(content);
            String usageChunk = "{\"id\":\"chatcmpl-p\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                    + "\"choices\":" + (random.nextBoolean() ? "[]" : "[ ]") + ",\"usage\":" + usage + "}";
            if (style == 0) {
                upstream.add(usageChunk);
            }
            served.upstream().enqueue(script(upstream));

            HttpResponse<String> response = served.client().postChat(chat("gpt-4o-mini", true, ask.isEmpty() ? null : ask));

            List<String> expected = callerAsked ? upstream : content;
            assertEquals(sse(expected), response.body(), "stream " + i);
            assertTrue(served.upstream().nextRequest().body().path("stream_options").path("include_usage").asBoolean(false));
            JsonNode line = logLine(response);
            if (style == 2) {
                assertFalse(line.has("promptTokens") || line.has("completionTokens"), line.toString());
            } else {
                assertEquals(prompt, line.path("promptTokens").asLong(), line.toString());
                assertEquals(completion, line.path("completionTokens").asLong(), line.toString());
            }
        }
    }
}
