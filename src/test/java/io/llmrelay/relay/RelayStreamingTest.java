package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code stream: true} through {@code serve} (local Function URL, runtime loop, handler) against
 * a scripted upstream: what the upstream streams is what the caller gets, chunk by chunk.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayStreamingTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    /** The body the relay must send for these upstream chunks: each as {@code data: <json>\n\n}, then one DONE. */
    private static String relayed(String... chunks) {
        StringBuilder body = new StringBuilder();
        for (String chunk : chunks) {
            body.append("data: ").append(chunk).append("\n\n");
        }
        return body.append("data: [DONE]\n\n").toString();
    }

    private static Script script(String... chunks) {
        Script script = Script.sse(200);
        for (String chunk : chunks) {
            script.chunk(chunk);
        }
        return script;
    }

    @Test
    void roleContentAndFinishChunksArriveByteForByteThenOneDone() throws Exception {
        String[] chunks = {Chunks.role(), Chunks.content("Hel"), Chunks.content("lo, wörld ✓"), Chunks.finish("stop")};
        served.upstream().enqueue(script(chunks).done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertEquals(relayed(chunks), response.body());
    }

    @Test
    void aStreamHasTheEventStreamHeadersAndARequestId() throws Exception {
        served.upstream().enqueue(script(Chunks.role(), Chunks.finish("stop")).done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("content-type").orElse(null));
        assertEquals("no-cache", response.headers().firstValue("cache-control").orElse(null));
        assertFalse(response.headers().firstValue("x-request-id").orElse("").isBlank(), "x-request-id");
    }

    @Test
    void eachRequestGetsItsOwnRequestId() throws Exception {
        HttpResponse<String> first = served.client().postChat(CHAT);
        HttpResponse<String> second = served.client().postChat(CHAT);

        assertFalse(first.headers().firstValue("x-request-id").orElseThrow()
                .equals(second.headers().firstValue("x-request-id").orElseThrow()));
    }

    @Test
    void toolCallDeltasArriveExactlyWithIndexIdTypeNameAndArgumentFragments() throws Exception {
        String[] chunks = {
            Chunks.role(),
            Chunks.toolCallStart(0, "call_weather_1", "get_weather"),
            Chunks.toolCallArguments(0, "{\"ci"),
            Chunks.toolCallArguments(0, "ty\": \"Par"),
            Chunks.toolCallArguments(0, "is\"}"),
            Chunks.toolCallStart(1, "call_time_2", "get_time"),
            Chunks.toolCallArguments(1, "{\"tz\":\"Europe/Paris\"}"),
            Chunks.finish("tool_calls"),
        };
        served.upstream().enqueue(script(chunks).done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(relayed(chunks), response.body());
        // And a client assembling the deltas gets the two calls whole.
        StringBuilder[] arguments = {new StringBuilder(), new StringBuilder()};
        String[] ids = new String[2];
        String[] names = new String[2];
        for (String payload : payloads(response.body())) {
            if (payload.equals("[DONE]")) {
                continue;
            }
            for (JsonNode call : json(payload).path("choices").path(0).path("delta").path("tool_calls")) {
                int index = call.get("index").asInt();
                if (call.has("id")) {
                    ids[index] = call.get("id").asText();
                    names[index] = call.path("function").path("name").asText();
                    assertEquals("function", call.get("type").asText());
                }
                arguments[index].append(call.path("function").path("arguments").asText());
            }
        }
        assertEquals(List.of("call_weather_1", "call_time_2"), List.of(ids));
        assertEquals(List.of("get_weather", "get_time"), List.of(names));
        assertEquals("{\"city\": \"Paris\"}", arguments[0].toString());
        assertEquals("{\"tz\":\"Europe/Paris\"}", arguments[1].toString());
        assertEquals("tool_calls", json(payloads(response.body()).get(chunks.length - 1))
                .path("choices").path(0).path("finish_reason").asText());
    }

    @Test
    void theUsageChunkWithEmptyChoicesIsRelayedWhenTheCallerAskedForIt() throws Exception {
        String[] chunks = {Chunks.role(), Chunks.content("Hi"), Chunks.finish("stop"), Chunks.usage(9, 2)};
        served.upstream().enqueue(script(chunks).done());
        String request = """
                {"model": "gpt-4o-mini", "stream": true, "stream_options": {"include_usage": true},
                 "messages": [{"role": "user", "content": "Hi"}]}""";

        HttpResponse<String> response = served.client().postChat(request);

        assertEquals(json("{\"include_usage\": true}"), served.upstream().nextRequest().body().get("stream_options"));
        assertEquals(relayed(chunks), response.body());
        JsonNode usage = json(payloads(response.body()).get(3));
        assertTrue(usage.get("choices").isArray() && usage.get("choices").isEmpty(), "choices: []");
        assertEquals(11, usage.path("usage").path("total_tokens").asInt());
    }

    @Test
    void crlfLineEndingsFromTheUpstreamLeaveAsLfEventsWithTheSamePayloads() throws Exception {
        String[] chunks = {Chunks.role(), Chunks.content("one"), Chunks.content("two"), Chunks.finish("stop")};
        served.upstream().enqueue(script().crlf().chunk(chunks[0]).chunk(chunks[1]).chunk(chunks[2]).chunk(chunks[3]).done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(relayed(chunks), response.body());
    }

    @Test
    void sseCommentsFromTheUpstreamAreDropped() throws Exception {
        String[] chunks = {Chunks.role(), Chunks.content("a"), Chunks.content("b"), Chunks.finish("stop")};
        served.upstream().enqueue(Script.sse(200)
                .raw(": keep-alive\n\n")
                .chunk(chunks[0])
                .raw(": OPENROUTER PROCESSING\n\n")
                .chunk(chunks[1])
                .raw(":\n: keep-alive\n\n")
                .chunk(chunks[2])
                .chunk(chunks[3])
                .raw(": keep-alive\n\n")
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(relayed(chunks), response.body());
    }

    @Test
    void aMultiLineDataEventIsJoinedIntoOneChunkOnOneLine() throws Exception {
        String firstLine = "{\"id\":\"chatcmpl-ml\",\"object\":\"chat.completion.chunk\",\"created\":1700000001,";
        String secondLine = "\"model\":\"gpt-4o-mini\",\"choices\":[{\"index\":0,\"delta\":{\"content\":\"joined\"},"
                + "\"finish_reason\":null}]}";
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .raw("data: " + firstLine + "\ndata: " + secondLine + "\n\n")
                .chunk(Chunks.finish("stop"))
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        List<String> payloads = payloads(response.body()); // each checked to be a single data line
        assertEquals(List.of(Chunks.role(), payloads.get(1), Chunks.finish("stop"), "[DONE]"), payloads);
        // SSE joins data lines with a newline, which is JSON whitespace: the same chunk, re-serialised.
        assertEquals(json(firstLine + "\n" + secondLine), json(payloads.get(1)));
    }

    @Test
    void anUpstreamThatForgetsDoneStillEndsWithExactlyOneDone() throws Exception {
        String[] chunks = {Chunks.role(), Chunks.content("no done"), Chunks.finish("stop")};
        served.upstream().enqueue(script(chunks)); // the body simply ends

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertEquals(relayed(chunks), response.body());
    }

    @Test
    void chunksMissingIdObjectCreatedAndModelGetThemFilledIn() throws Exception {
        String bare = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"bare\"},\"finish_reason\":null}]}";
        String nulls = "{\"id\":null,\"object\":null,\"created\":null,\"model\":null,"
                + "\"choices\":[{\"index\":0,\"delta\":{},\"finish_reason\":\"stop\"}]}";
        String partial = "{\"id\":\"chatcmpl-kept\",\"created\":1700000002,"
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"x\"},\"finish_reason\":null}]}";
        served.upstream().enqueue(script(bare, partial, nulls).done());
        long before = System.currentTimeMillis() / 1000;

        HttpResponse<String> response = served.client().postChat(CHAT);

        long after = System.currentTimeMillis() / 1000;
        String requestId = response.headers().firstValue("x-request-id").orElseThrow();
        List<String> payloads = payloads(response.body());
        assertEquals(4, payloads.size(), response.body());
        assertEquals("[DONE]", payloads.get(3));
        for (int i = 0; i < 3; i++) {
            JsonNode chunk = json(payloads.get(i));
            assertEquals("chat.completion.chunk", chunk.path("object").asText(), payloads.get(i));
            assertEquals("gpt-4o-mini", chunk.path("model").asText(), payloads.get(i));
            assertTrue(chunk.path("created").isIntegralNumber(), payloads.get(i));
            assertTrue(chunk.path("id").isTextual(), payloads.get(i));
        }
        JsonNode first = json(payloads.get(0));
        assertEquals("chatcmpl-" + requestId, first.get("id").asText());
        long created = first.get("created").asLong();
        assertTrue(created >= before && created <= after, "created " + created + " not in [" + before + ", " + after + "]");
        assertEquals(json(bare).get("choices"), first.get("choices"));
        // What the upstream did send is kept.
        JsonNode second = json(payloads.get(1));
        assertEquals("chatcmpl-kept", second.get("id").asText());
        assertEquals(1700000002L, second.get("created").asLong());
        // One stream, one id: the filled-in values are the same for every chunk.
        assertEquals(first.get("id"), json(payloads.get(2)).get("id"));
        assertEquals(first.get("created"), json(payloads.get(2)).get("created"));
    }

    @Test
    void theFirstChunkReachesTheCallerWhileTheUpstreamHoldsTheRestBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .gate(gate)
                .chunk(Chunks.content("after the gate"))
                .chunk(Chunks.finish("stop"))
                .done());

        try (RelayClient.EventStream stream = served.client().open(served.client().chat(CHAT))) {
            assertEquals(200, stream.response().statusCode());
            // The upstream has sent only this chunk and waits for the gate: it can only have come through unbatched.
            assertEquals(Chunks.role(), stream.nextPayload());
            assertEquals(1, gate.getCount(), "the gate is still closed");
            gate.countDown();
            assertEquals(relayed(Chunks.content("after the gate"), Chunks.finish("stop")), stream.rest());
        } finally {
            gate.countDown();
        }
    }

    @Test
    void theRequestedModelIsWhatTheUpstreamIsAskedForOnThisRoute() throws Exception {
        served.client().postChat(CHAT);

        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("POST", request.method());
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("gpt-4o-mini", request.body().get("model").asText());
        assertTrue(request.body().get("stream").asBoolean());
        assertEquals("text/event-stream", request.header("accept"));
    }
}
