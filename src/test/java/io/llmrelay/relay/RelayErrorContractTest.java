package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The error contract: before the first byte a failure has its real status and an OpenAI error
 * body; after it, one {@code data: {"error":...}} event, then {@code data: [DONE]}, on a 200.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayErrorContractTest {
    /** Short enough to keep the suite fast, long enough for a loopback round trip on a busy machine. */
    private static final int SHORT_TIMEOUT_MS = 1000;

    // No retries here: this class is about what one upstream answer becomes; retries and
    // fallbacks (which would turn some of these failures into successes) are RelayRetryTest's.
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\", \"gpt-4o*\"]",
                    "\"default\": true, \"retries\": 0"),
            RelayUnderTest.route("slow", upstream.baseUrl(), "[\"slow-model\"]",
                    "\"firstByteTimeoutMs\": " + SHORT_TIMEOUT_MS + ", \"idleTimeoutMs\": " + SHORT_TIMEOUT_MS
                            + ", \"retries\": 0"),
            RelayUnderTest.route("closed", "http://127.0.0.1:" + closedPort() + "/v1", "[\"closed-model\"]",
                    "\"retries\": 0")));

    /** A port that was free a moment ago and on which nothing listens now: connections are refused. */
    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String chatFor(String model) {
        return CHAT.replace("gpt-4o-mini", model);
    }

    // Before the first byte: real statuses.

    @ParameterizedTest(name = "upstream {0} {2}")
    @CsvSource({
        "400, invalid_request_error, invalid_value",
        "401, invalid_request_error, invalid_api_key",
        "403, invalid_request_error, unsupported_country_region_territory",
        "404, invalid_request_error, model_not_found",
        "429, rate_limit_error, rate_limit_exceeded",
    })
    void anUpstream4xxWithAnOpenAiBodyPassesThroughWithItsStatusAndBody(int status, String type, String code)
            throws Exception {
        String body = Chunks.error("The upstream says no (" + status + ").", type, code);
        served.upstream().enqueue(Script.json(status, body));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, status, code);
        assertEquals(body, response.body());
    }

    @Test
    void anUpstream429KeepsItsRetryAfter() throws Exception {
        served.upstream().enqueue(Script.json(429, Chunks.error("Rate limit reached for gpt-4o-mini.", "rate_limit_error",
                "rate_limit_exceeded")).header("retry-after", "17"));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 429, "rate_limit_exceeded");
        assertEquals("17", response.headers().firstValue("retry-after").orElse(null));
    }

    @Test
    void anUpstream4xxWithoutAnOpenAiBodyKeepsItsStatusWithAnOpenAiBodyOfTheRelays() throws Exception {
        served.upstream().enqueue(Script.json(404, "<html><body>Not Found</body></html>").header("content-type", "text/html"));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 404, "upstream_error");
        assertFalse(response.body().contains("<html>"), response.body());
    }

    @ParameterizedTest(name = "upstream {0}")
    @ValueSource(ints = {500, 503})
    void anUpstream5xxIsA502(int status) throws Exception {
        served.upstream().enqueue(Script.json(status, Chunks.error("The server had an error while processing your request.",
                "server_error", null)));

        HttpResponse<String> response = served.client().postChat(CHAT);

        JsonNode error = assertOpenAiError(response, 502, "upstream_unavailable");
        assertTrue(error.get("message").asText().contains("main"), "names the route: " + error);
    }

    @Test
    void anUpstream5xxWithAnHtmlBodyIsA502Too() throws Exception {
        served.upstream().enqueue(Script.json(502, "<html>Bad Gateway</html>").header("content-type", "text/html"));

        assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");
    }

    @Test
    void aRefusedConnectionIsA502() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("closed-model"));

        JsonNode error = assertOpenAiError(response, 502, "upstream_unavailable");
        assertTrue(error.get("message").asText().contains("closed"), "names the route: " + error);
    }

    @Test
    void noResponseHeadWithinTheFirstByteTimeoutIsA504() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).holdHead(gate).chunk(Chunks.role()).done());
        try {
            HttpResponse<String> response = served.client().postChat(chatFor("slow-model"));

            JsonNode error = assertOpenAiError(response, 504, "upstream_timeout");
            assertTrue(error.get("message").asText().contains(SHORT_TIMEOUT_MS + " ms"), error.toString());
            assertEquals(1, gate.getCount(), "the upstream was still holding its answer back");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void anErrorEventAsTheFirstUpstreamEventGetsARealStatusAndTheErrorBody() throws Exception {
        String upstreamError = Chunks.error("The model is overloaded.", "server_error", "overloaded");
        served.upstream().enqueue(Script.sse(200).chunk(upstreamError).done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        JsonNode error = assertOpenAiError(response, 502, "overloaded");
        assertEquals(json(upstreamError).get("error"), error);
    }

    @Test
    void anUpstreamStreamThatEndsBeforeAnyEventIsA502() throws Exception {
        served.upstream().enqueue(Script.sse(200).raw(": keep-alive\n\n"));

        assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");
    }

    @Test
    void anUpstreamStreamCutBeforeAnyEventIsA502() throws Exception {
        served.upstream().enqueue(Script.sse(200).raw("data: {\"id\":\"chatcmpl-cut\",").cutOff());

        assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");
    }

    // After the first byte: an error event, then DONE, on a 200.

    @Test
    void anUpstreamErrorEventMidStreamBecomesOneErrorEventThenDone() throws Exception {
        String upstreamError = Chunks.error("The server had an error while processing your request.", "server_error",
                "server_error");
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Partial"))
                .chunk(upstreamError)
                .chunk(Chunks.content("never relayed"))
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertEquals("text/event-stream; charset=utf-8", response.headers().firstValue("content-type").orElse(null));
        List<String> payloads = payloads(response.body());
        assertEquals(List.of(Chunks.role(), Chunks.content("Partial")), payloads.subList(0, 2));
        assertEquals(4, payloads.size(), response.body());
        JsonNode error = assertErrorBody(payloads.get(2), "server_error");
        assertEquals(json(upstreamError).get("error"), error);
        assertEquals("[DONE]", payloads.get(3));
        assertTrue(response.body().endsWith("\n\ndata: [DONE]\n\n"));
    }

    @Test
    void aStreamCutMidBodyEndsWithAnErrorEventThenDone() throws Exception {
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Half a sen"))
                .raw("data: {\"id\":\"chatcmpl-up1\",\"object\":\"chat.comp")
                .cutOff());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        List<String> payloads = payloads(response.body());
        assertEquals(4, payloads.size(), response.body());
        assertEquals(List.of(Chunks.role(), Chunks.content("Half a sen")), payloads.subList(0, 2));
        assertErrorBody(payloads.get(2), "upstream_unavailable");
        assertEquals("[DONE]", payloads.get(3));
    }

    @Test
    void anUpstreamThatGoesQuietMidStreamEndsWithATimeoutEventThenDone() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).gate(gate).chunk(Chunks.content("too late")).done());
        try {
            HttpResponse<String> response = served.client().postChat(chatFor("slow-model"));

            assertEquals(200, response.statusCode());
            List<String> payloads = payloads(response.body());
            assertEquals(3, payloads.size(), response.body());
            assertEquals(Chunks.role(), payloads.get(0));
            assertErrorBody(payloads.get(1), "upstream_timeout");
            assertEquals("[DONE]", payloads.get(2));
            assertEquals(1, gate.getCount(), "the upstream was still holding the rest back");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void afterAFailureTheNextRequestIsServedNormally() throws Exception {
        served.upstream().enqueue(Script.json(500, "oops"));
        assertOpenAiError(served.client().postChat(CHAT), 502, "upstream_unavailable");

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    }
}
