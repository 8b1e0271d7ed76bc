package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The upstream faults {@link RelayErrorContractTest} does not cover, each with its defined
 * outcome: an unresolvable host, 502 and 504 answers, malformed SSE (before and after the first
 * byte), a stream cut between events, a non-streaming body that stalls, a UTF-8 character split
 * across reads, and one very large event. Retries are off (they are {@link RelayRetryTest}'s).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UpstreamFaultTest {
    private static final int SHORT_TIMEOUT_MS = 1000;

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true, \"retries\": 0"),
            RelayUnderTest.route("slow", upstream.baseUrl(), "[\"slow-model\"]",
                    "\"idleTimeoutMs\": " + SHORT_TIMEOUT_MS + ", \"retries\": 0"),
            // .invalid never resolves (RFC 6761): a typo'd or vanished upstream host.
            RelayUnderTest.route("nowhere", "http://llm-relay-upstream.invalid/v1", "[\"nowhere-model\"]",
                    "\"retries\": 0")));

    private static String chatFor(String model) {
        return CHAT.replace("gpt-4o-mini", model);
    }

    private static String relayed(String... payloads) {
        StringBuilder body = new StringBuilder();
        for (String payload : payloads) {
            body.append("data: ").append(payload).append("\n\n");
        }
        return body.toString();
    }

    @Test
    void anUnresolvableHostIsA502NamingTheRoute() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("nowhere-model"));

        JsonNode error = assertOpenAiError(response, 502, "upstream_unavailable");
        assertTrue(error.get("message").asText().contains("'nowhere'"), error.toString());
    }

    @ParameterizedTest(name = "upstream {0}")
    @ValueSource(ints = {502, 504})
    void anUpstream502Or504IsA502(int status) throws Exception {
        served.upstream().enqueue(Script.json(status, "<html>" + status + "</html>").header("content-type", "text/html"));

        assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");
        assertEquals(1, served.upstream().requestCount(), "with retries off, one attempt");
    }

    // Malformed SSE.

    @Test
    void aFirstEventThatIsNotJsonIsA502InvalidResponse() throws Exception {
        served.upstream().enqueue(Script.sse(200).raw("data: <html><body>Gateway error</body></html>\n\n").done());

        JsonNode error = assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_invalid_response");
        assertTrue(!error.get("message").asText().contains("<html>"), "the upstream's bytes are not echoed: " + error);
    }

    @Test
    void anEventThatIsNotJsonMidStreamEndsItWithAnErrorEventThenDone() throws Exception {
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .raw("data: {\"choices\": [oops\n\n")
                .chunk(Chunks.content("never relayed"))
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        List<String> payloads = payloads(response.body());
        assertEquals(3, payloads.size(), response.body());
        assertEquals(Chunks.role(), payloads.get(0));
        assertErrorBody(payloads.get(1), "upstream_invalid_response");
        assertEquals("[DONE]", payloads.get(2));
    }

    @Test
    void aPageWithoutAnySseEventsIsA502() throws Exception {
        // An HTML error page served as an event stream: its lines are no SSE fields, so no event ever comes.
        served.upstream().enqueue(Script.sse(200).raw("<html>\n<body>Service Unavailable</body>\n</html>\n"));

        JsonNode error = assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");
        assertTrue(error.get("message").asText().contains("without sending any event"), error.toString());
    }

    @Test
    void anEventOverTheReadersLimitEndsTheStreamWithAnErrorEventThenDone() throws Exception {
        // The SSE reader holds at most 8 MiB for one event: a runaway upstream cannot exhaust the function's memory.
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .raw("data: " + "x".repeat(9 * 1024 * 1024) + "\n\n")
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        List<String> payloads = payloads(response.body());
        assertEquals(3, payloads.size());
        JsonNode error = assertErrorBody(payloads.get(1), "upstream_unavailable");
        assertTrue(error.get("message").asText().contains("exceeds the limit"), error.toString());
    }

    @Test
    void aStreamCutBetweenEventsWithoutDoneEndsWithAnErrorEventThenDone() throws Exception {
        // Unlike an upstream that ends its body cleanly without [DONE] (RelayStreamingTest), a cut
        // connection is a failure: the caller must not take the answer for complete.
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Half")).cutOff());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        List<String> payloads = payloads(response.body());
        assertEquals(List.of(Chunks.role(), Chunks.content("Half")), payloads.subList(0, 2));
        assertErrorBody(payloads.get(2), "upstream_unavailable");
        assertEquals(List.of("[DONE]"), payloads.subList(3, payloads.size()));
    }

    @Test
    void aNonStreamingAnswerThatStallsMidBodyIsA504() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).header("content-type", "application/json")
                .raw("{\"id\":\"chatcmpl-stall\",").gate(gate).raw("\"object\":\"chat.completion\"}"));
        try {
            HttpResponse<String> response = served.client().postChat(chatFor("slow-model").replace("\"stream\": true", "\"stream\": false"));

            JsonNode error = assertOpenAiError(response, 504, "upstream_timeout");
            assertTrue(error.get("message").asText().contains(SHORT_TIMEOUT_MS + " ms"), error.toString());
            assertEquals(1, gate.getCount(), "the upstream was still holding the rest back");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void eventsWithEmptyDataAreSkippedAndTheStreamGoesOnNormally() throws Exception {
        // "data:" alone: the WHATWG steps dispatch it with data "" (the SSE reader does); it carries no
        // chunk, so the relay passes over it, first event or not, however its line ends.
        served.upstream().enqueue(Script.sse(200)
                .raw("data:\n\n")
                .chunk(Chunks.role())
                .raw("data:\r\n\r\n")
                .chunk(Chunks.content("Hi"))
                .raw("event: ping\ndata\n\n")
                .raw(": keep-alive\ndata:\n\n")
                .chunk(Chunks.finish("stop"))
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(relayed(Chunks.role(), Chunks.content("Hi"), Chunks.finish("stop"), "[DONE]"), response.body());
    }

    @Test
    void aStreamOfNothingButEmptyEventsIsA502LikeAStreamWithoutEvents() throws Exception {
        served.upstream().enqueue(Script.sse(200).raw("data:\n\ndata:\n\n"));

        JsonNode error = assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");
        assertTrue(error.get("message").asText().contains("without sending any event"), error.toString());
    }

    @Test
    void aNonStreamingAnswerOverTheRelaysLimitIsA502NotATruncated200() throws Exception {
        int limit = 32 * 1024 * 1024;
        String completion = Chunks.completion("x".repeat(limit)); // a little over the limit, all of it JSON
        served.upstream().enqueue(Script.json(200, completion));

        HttpResponse<String> response = served.client().postChat(CHAT.replace("\"stream\": true", "\"stream\": false"));

        assertEquals(502, response.statusCode(), () -> "status, with a body of " + response.body().length() + " characters");
        JsonNode error = assertOpenAiError(response, 502, "upstream_invalid_response");
        assertTrue(error.get("message").asText().contains("larger than " + limit + " bytes"), error.toString());
    }

    // What must arrive intact.

    @Test
    void aUtf8CharacterSplitAcrossReadsArrivesWhole() throws Exception {
        String chunk = Chunks.content("Grüße 😀 ✓");
        byte[] event = ("data: " + chunk + "\n\n").getBytes(StandardCharsets.UTF_8);
        int emoji = indexOf(event, "😀".getBytes(StandardCharsets.UTF_8));
        int split = emoji + 2; // two of the emoji's four bytes on each side
        CountDownLatch firstHalfSent = new CountDownLatch(1);
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .rawBytes(Arrays.copyOfRange(event, 0, split))
                .signal(firstHalfSent)
                .gate(gate)
                .rawBytes(Arrays.copyOfRange(event, split, event.length))
                .done());

        try (RelayClient.EventStream stream = served.client().open(served.client().chat(CHAT))) {
            assertEquals(Chunks.role(), stream.nextPayload());
            // The first half went out as its own HTTP chunk and the rest is held back: the relay's
            // reader gets the character in two reads, whatever the timing.
            assertTrue(firstHalfSent.await(10, TimeUnit.SECONDS));
            gate.countDown();
            assertEquals(relayed(chunk, "[DONE]"), stream.rest());
        } finally {
            gate.countDown();
        }
    }

    @Test
    void aSingleTwoMegabyteToolCallEventArrivesByteForByte() throws Exception {
        StringBuilder arguments = new StringBuilder("{\"rows\":[");
        for (int i = 0; arguments.length() < 2 * 1024 * 1024; i++) {
            arguments.append(i == 0 ? "" : ",").append("{\"n\":").append(i).append(",\"text\":\"zeile ").append(i)
                    .append(" – ü\"}");
        }
        arguments.append("]}");
        String big = Chunks.toolCallArguments(0, arguments.toString());
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.toolCallStart(0, "call_big", "import_rows"))
                .chunk(big)
                .chunk(Chunks.finish("tool_calls"))
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertEquals(relayed(Chunks.toolCallStart(0, "call_big", "import_rows"), big, Chunks.finish("tool_calls"), "[DONE]"),
                response.body());
        assertEquals(arguments.toString(), json(payloads(response.body()).get(1))
                .at("/choices/0/delta/tool_calls/0/function/arguments").asText());
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        for (int i = 0; i + needle.length <= haystack.length; i++) {
            if (Arrays.equals(haystack, i, i + needle.length, needle, 0, needle.length)) {
                return i;
            }
        }
        throw new AssertionError("not found");
    }
}
