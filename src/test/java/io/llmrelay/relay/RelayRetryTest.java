package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.relay.attempt.RetryWaits;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Retries and fallbacks, all before the first byte: connection failures, 429, 502, 503 and 504
 * are tried again after a jittered backoff (or the upstream's {@code retry-after}, within the
 * route's budget), then the route's fallbacks in order; once a byte has gone to the caller,
 * nothing is tried again. The relay's waits are recorded, not slept, except where a test says so.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayRetryTest {
    private static final String DEFAULT_STREAM = "data: " + Chunks.role() + "\n\ndata: " + Chunks.content("Hello")
            + "\n\ndata: " + Chunks.finish("stop") + "\n\ndata: [DONE]\n\n";
    private static final RecordedPauses pauses = new RecordedPauses();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> {
        String base = "http://127.0.0.1:" + upstream.port();
        String closed = "http://127.0.0.1:" + closedPort() + "/v1";
        return RelayUnderTest.config(null,
                // retries: 2 (the default), retryBudgetMs: 5000 (the default)
                RelayUnderTest.route("main", base + "/v1", "[\"gpt-4o-mini\"]", "\"default\": true"),
                RelayUnderTest.route("down", closed, "[\"down-model\"]", "\"fallback\": [\"backup\"]"),
                RelayUnderTest.route("flaky", base + "/flaky/v1", "[\"flaky-model\"]",
                        "\"retries\": 1, \"fallback\": [\"down\", \"backup\"]"),
                RelayUnderTest.route("slow", base + "/slow/v1", "[\"slow-model\"]",
                        "\"firstByteTimeoutMs\": 500, \"fallback\": [\"backup\"]"),
                RelayUnderTest.route("backup", base + "/backup/v1", "[\"backup-model\"]",
                        "\"upstreamModel\": \"backup-upstream-model\""));
    }).serving(serve -> serve.customize(setup -> setup.withPause(pauses).withLogLevel(LogLevel.DEBUG)));

    /** The upstream is reset by {@link ServedRelay}; the recorded waits are this class's own. */
    @BeforeEach
    void forgetEarlierPauses() {
        pauses.clear();
    }

    private static int closedPort() throws Exception {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String chatFor(String model) {
        return CHAT.replace("gpt-4o-mini", model);
    }

    private static void assertWaitBetween(Duration wait, long minMs, long maxMs) {
        assertTrue(wait.toMillis() >= minMs && wait.toMillis() <= maxMs, wait + " not in [" + minMs + ", " + maxMs + "] ms");
    }

    @ParameterizedTest(name = "upstream {0} then 200")
    @ValueSource(ints = {502, 503, 504})
    void aServerFailureBeforeTheStreamIsRetriedAndTheCallerSeesOnlyTheSuccess(int status) throws Exception {
        served.upstream().enqueue(Script.json(status, Chunks.error("Busy.", "server_error", null)));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(DEFAULT_STREAM, response.body());
        FakeUpstream.Recorded first = served.upstream().nextRequest();
        FakeUpstream.Recorded second = served.upstream().nextRequest();
        assertEquals(first.index() + 1, second.index());
        assertEquals(first.body(), second.body(), "the same request, again");
        assertEquals(1, pauses.waits().size());
        assertWaitBetween(pauses.waits().get(0), RetryWaits.BASE_BACKOFF_MS / 2, RetryWaits.BASE_BACKOFF_MS);
    }

    @Test
    void a429WithRetryAfterIsRetriedAfterThatLong() throws Exception {
        pauses.sleepingToo(true);
        served.upstream().enqueue(Script.json(429, Chunks.error("Rate limit reached.", "rate_limit_error", "rate_limit_exceeded"))
                .header("retry-after", "1"));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(List.of(Duration.ofSeconds(1)), pauses.waits(), "the upstream's retry-after, not the shorter backoff");
        FakeUpstream.Recorded first = served.upstream().nextRequest();
        FakeUpstream.Recorded second = served.upstream().nextRequest();
        assertTrue(second.receivedNanos() - first.receivedNanos() >= Duration.ofSeconds(1).toNanos(),
                "the second attempt came at least a second after the first");
    }

    @Test
    void a429AskingForMoreThanTheBudgetGoesToTheCallerAtOnceWithItsRetryAfter() throws Exception {
        served.upstream().enqueue(Script.json(429, Chunks.error("Rate limit reached.", "rate_limit_error", "rate_limit_exceeded"))
                .header("retry-after", "30"));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 429, "rate_limit_exceeded");
        assertEquals("30", response.headers().firstValue("retry-after").orElse(null));
        assertEquals(List.of(), pauses.waits(), "a 30 s wait is over the 5 s budget: not made");
        served.upstream().nextRequest();
        assertEquals(0, served.upstream().requestCount());
    }

    @Test
    void whenEveryAttemptFailsTheLastFailureGoesToTheCallerAfterBackoffsThatGrow() throws Exception {
        for (int i = 0; i < 3; i++) {
            served.upstream().enqueue(Script.json(503, Chunks.error("Overloaded.", "server_error", null)));
        }

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 502, "upstream_unavailable");
        assertEquals(3, served.upstream().requestCount(), "one attempt and the route's two retries");
        List<Duration> waits = pauses.waits();
        assertEquals(2, waits.size());
        assertWaitBetween(waits.get(0), 125, 250);
        assertWaitBetween(waits.get(1), 250, 500);
        JsonNode line = LogLines.lastRequestLine(served.relay());
        assertEquals(3, line.get("attempts").asInt(), "the request log counts the attempts: " + line);
        assertTrue(line.get("retryWaitMs").asLong() >= 375, line.toString());
    }

    @Test
    void aRequestTheUpstreamRejectsIsNotRetried() throws Exception {
        served.upstream().enqueue(Script.json(400, Chunks.error("Invalid 'temperature'.", "invalid_request_error", "invalid_value")));

        assertOpenAiError(served.client().postChat(CHAT), 400, "invalid_value");
        served.upstream().nextRequest();
        assertEquals(0, served.upstream().requestCount());
        assertEquals(List.of(), pauses.waits());
    }

    @Test
    void aStreamThatBreaksBeforeItsFirstEventIsRetried() throws Exception {
        served.upstream().enqueue(Script.sse(200).raw("data: {\"id\":\"chatcmpl-cut\",").cutOff());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertEquals(DEFAULT_STREAM, response.body());
        served.upstream().nextRequest();
        served.upstream().nextRequest();
    }

    @Test
    void anErrorAfterTheFirstByteIsNeverRetried() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Half")).cutOff());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        List<String> payloads = payloads(response.body());
        assertEquals(List.of(Chunks.role(), Chunks.content("Half")), payloads.subList(0, 2));
        assertErrorBody(payloads.get(2), "upstream_unavailable");
        assertEquals("[DONE]", payloads.get(3));
        served.upstream().nextRequest();
        assertEquals(0, served.upstream().requestCount(), "no second attempt once the caller had bytes");
        assertEquals(List.of(), pauses.waits());
    }

    @Test
    void whenTheRoutesUpstreamIsDownItsFallbackAnswers() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("down-model"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(DEFAULT_STREAM, response.body());
        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/backup/v1/chat/completions", request.path());
        assertEquals("backup-upstream-model", request.body().get("model").asText(), "under the fallback's model name");
        assertEquals(2, pauses.waits().size(), "the refused route was retried first");
        JsonNode line = LogLines.lastRequestLine(served.relay());
        assertEquals("down", line.get("route").asText());
        assertEquals("backup", line.get("upstreamRoute").asText(), "the request log names the fallback: " + line);
        assertEquals(4, line.get("attempts").asInt(), line.toString());
    }

    @Test
    void fallbacksAreTriedInOrderAfterTheRoutesOwnAttempts() throws Exception {
        served.upstream().enqueue(Script.json(503, "busy")).enqueue(Script.json(503, "still busy"));

        HttpResponse<String> response = served.client().postChat(chatFor("flaky-model"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals("/flaky/v1/chat/completions", served.upstream().nextRequest().path());
        assertEquals("/flaky/v1/chat/completions", served.upstream().nextRequest().path());
        // then "down" (refused, three times), then "backup"
        assertEquals("/backup/v1/chat/completions", served.upstream().nextRequest().path());
        assertEquals(0, served.upstream().requestCount());
        assertEquals(1 + 2, pauses.waits().size(), "flaky's one retry, down's two");
    }

    @Test
    void aFirstByteTimeoutIsNotRetriedOnTheSameRouteButFallsBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).holdHead(gate).chunk(Chunks.role()).done());
        try {
            HttpResponse<String> response = served.client().postChat(chatFor("slow-model"));

            assertEquals(200, response.statusCode(), response.body());
            assertEquals("/slow/v1/chat/completions", served.upstream().nextRequest().path());
            assertEquals("/backup/v1/chat/completions", served.upstream().nextRequest().path());
            assertEquals(List.of(), pauses.waits());
        } finally {
            gate.countDown();
        }
    }

    @Test
    void aJsonAnswerToAStreamingRequestIsA502InvalidResponseAndNotRetried() throws Exception {
        // A whole chat.completion, then a JSON error body, each in a 2xx, where events were asked for.
        for (String json : List.of(Chunks.completion("Hello"), Chunks.error("Overloaded.", "server_error", "overloaded"))) {
            served.upstream().enqueue(Script.json(200, json));

            HttpResponse<String> response = served.client().postChat(CHAT);

            JsonNode error = assertOpenAiError(response, 502, "upstream_invalid_response");
            assertTrue(error.get("message").asText().contains("application/json"), error.toString());
            served.upstream().nextRequest();
            assertEquals(0, served.upstream().requestCount(), "not retried: the upstream answered, only not as asked");
            assertEquals(List.of(), pauses.waits());
            assertEquals("200_json", LogLines.lastRequestLine(served.relay()).get("attemptLog").get(0).get("outcome").asText());
        }
    }

    @Test
    void hugeRetryAfterValuesAreWaitsThatDoNotFitNeverOverflowedIntoOnesThatDo() throws Exception {
        for (String[] asked : new String[][] {{"retry-after-ms", "9223372036854775807"}, {"retry-after-ms", "1e300"},
                {"retry-after", "9223372036854775807"}, {"retry-after", "1e308"}, {"retry-after-ms", "9223372036854775000"}}) {
            pauses.clear();
            served.upstream().reset();
            served.upstream().enqueue(Script.json(503, Chunks.error("Busy.", "server_error", null))) // one backoff first
                    .enqueue(Script.json(429, Chunks.error("Rate limit reached.", "rate_limit_error", "rate_limit_exceeded"))
                            .header(asked[0], asked[1]));

            HttpResponse<String> response = served.client().postChat(CHAT);

            assertOpenAiError(response, 429, "rate_limit_exceeded");
            assertEquals(1, pauses.waits().size(), asked[0] + ": " + asked[1] + " waited " + pauses.waits());
            assertTrue(pauses.waits().get(0).toMillis() <= RetryWaits.BASE_BACKOFF_MS, "only the first backoff");
        }
    }

    @Test
    void debugLoggingShowsEachAttempt() throws Exception {
        served.upstream().enqueue(Script.json(503, "busy"));

        served.client().postChat(CHAT);

        JsonNode attempts = LogLines.lastRequestLine(served.relay()).get("attemptLog");
        assertEquals(2, attempts.size(), attempts.toString());
        assertEquals("503", attempts.get(0).get("outcome").asText());
        assertEquals("200", attempts.get(1).get("outcome").asText());
        assertEquals("main", attempts.get(1).get("route").asText());
    }
}
