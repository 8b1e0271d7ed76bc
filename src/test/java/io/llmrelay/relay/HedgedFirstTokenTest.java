package io.llmrelay.relay;

import io.llmrelay.testing.Background;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hedged first token through serve, with two scripted upstreams: the route's own ("primary") and
 * its {@code hedgeRoute}'s ("hedge"). Every "slow" upstream is held on a gate the test opens, so
 * what is shown is causality (the hedge starts only after {@code hedgeAfterMs}, the caller's first
 * byte comes only once the hedge answered, the primary's connection is closed), not timing.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HedgedFirstTokenTest {
    private static final long HEDGE_AFTER_MS = 150;
    private static final Duration WAIT = Duration.ofSeconds(10);
    static final String HEDGE_KEY = "sk-test-hedge-route-SECRET-77b2e0";
    private static final FakeUpstream hedge = startHedgeUpstream();
    /** Gates opened after each test, so no scripted upstream thread is left waiting. */
    private final List<CountDownLatch> gates = new ArrayList<>();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(primary -> RelayUnderTest.config(null,
            hedged("voice", primary.baseUrl(), "voice-model", "quick", HEDGE_AFTER_MS, ""),
            hedged("patient", primary.baseUrl(), "patient-model", "quick", 20_000, ""),
            hedged("slow", primary.baseUrl(), "slow-model", "quick-slow", 100,
                    ", \"firstByteTimeoutMs\": 600, \"fallback\": [\"backup\"]"),
            hedged("alone", primary.baseUrl(), "alone-model", "quick-slow", 100, ", \"firstByteTimeoutMs\": 600"),
            route("quick", hedge.baseUrl(), "quick-model", "env:HEDGE_KEY", ", \"upstreamModel\": \"quick-upstream-model\""),
            route("quick-slow", hedge.baseUrl(), "quick-slow-model", "env:HEDGE_KEY", ", \"firstByteTimeoutMs\": 600"),
            route("backup", primary.baseUrl().replace("/v1", "/backup/v1"), "backup-model", "env:UPSTREAM_KEY", "")))
            .serving(serve -> serve.env(Map.of("UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY, "HEDGE_KEY", HEDGE_KEY))
                    .customize(setup -> setup.withLogLevel(LogLevel.DEBUG)));

    private static FakeUpstream startHedgeUpstream() {
        try {
            return FakeUpstream.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static String route(String name, String baseUrl, String model, String key, String extra) {
        return "{\"name\": \"" + name + "\", \"baseUrl\": \"" + baseUrl + "\", \"apiKey\": \"" + key
                + "\", \"models\": [\"" + model + "\"]" + extra + "}";
    }

    private static String hedged(String name, String baseUrl, String model, String hedgeRoute, long afterMs, String extra) {
        return route(name, baseUrl, model, "env:UPSTREAM_KEY", ", \"hedgeRoute\": \"" + hedgeRoute
                + "\", \"hedgeAfterMs\": " + afterMs + extra);
    }

    @BeforeEach
    void forgetTheHedgesRequests() {
        hedge.reset();
    }

    @AfterEach
    void openEveryGate() {
        gates.forEach(CountDownLatch::countDown);
    }

    @AfterAll
    static void stopTheHedgeUpstream() {
        try {
            String everything = served.client().everythingReceived() + served.relay().output();
            assertFalse(everything.contains(HEDGE_KEY), "the hedge route's key reached a caller or the log");
        } finally {
            hedge.close();
        }
    }

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    private static String chatFor(String model) {
        return CHAT.replace("gpt-4o-mini", model);
    }

    private static Script answer(String text) {
        return Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content(text)).chunk(Chunks.finish("stop")).done();
    }

    private static String body(String text) {
        return "data: " + Chunks.role() + "\n\ndata: " + Chunks.content(text) + "\n\ndata: " + Chunks.finish("stop")
                + "\n\ndata: [DONE]\n\n";
    }

    /** The request log line of the request with this id (written once its answer has ended). */
    private static JsonNode logLine(HttpResponse<?> response) throws InterruptedException {
        String id = response.headers().firstValue("x-request-id").orElseThrow();
        String line = served.relay().awaitLine("\"requestId\":\"" + id + "\"", WAIT);
        assertNotNull(line, () -> "no request log line for " + id + " in: " + served.relay().output());
        return json(line);
    }

    /**
     * The primary holds back either its response head or, head sent, its first event: both are
     * "no first event". The hedge, started {@code hedgeAfterMs} later, answers once the test lets
     * it, and that answer is the caller's, alone; the primary's connection is closed.
     */
    @ParameterizedTest(name = "primary holds back its {0}")
    @ValueSource(strings = {"head", "first event"})
    void aSlowPrimaryLosesToAFastHedge(String heldBack) throws Exception {
        CountDownLatch primaryGate = gate();
        Script primary = heldBack.equals("head") ? Script.sse(200).holdHead(primaryGate) : Script.sse(200).gate(primaryGate);
        served.upstream().enqueue(primary.chunksUntilClosed(i -> Chunks.content("primary " + i), Duration.ofMillis(5), 2000));
        CountDownLatch hedgeGate = gate();
        hedge.enqueue(Script.sse(200).gate(hedgeGate).chunk(Chunks.role()).chunk(Chunks.content("From the hedge"))
                .chunk(Chunks.finish("stop")).done());

        long sent = System.nanoTime();
        CompletableFuture<RelayClient.EventStream> opened = CompletableFuture.supplyAsync(() -> {
            try {
                return served.client().open(served.client().chat(chatFor("voice-model")));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, Background.THREADS);
        FakeUpstream.Recorded toPrimary = served.upstream().nextRequest();
        FakeUpstream.Recorded toHedge = hedge.nextRequest();

        assertTrue(toHedge.receivedNanos() > toPrimary.receivedNanos(), "the primary was asked first");
        assertTrue(toHedge.receivedNanos() - sent >= TimeUnit.MILLISECONDS.toNanos(HEDGE_AFTER_MS),
                "the hedge started no sooner than hedgeAfterMs after the request");
        assertFalse(opened.isDone(), "nothing reached the caller before the hedge answered");
        long hedgeAnswers = System.nanoTime();
        hedgeGate.countDown();

        try (RelayClient.EventStream stream = opened.get(10, TimeUnit.SECONDS)) {
            String first = stream.nextEvent();
            long firstByte = System.nanoTime();
            assertEquals("data: " + Chunks.role() + "\n\n", first);
            assertEquals(body("From the hedge"), first + stream.rest(), "the hedge's answer, alone, with one [DONE]");
            assertTrue(firstByte > hedgeAnswers && firstByte - sent >= TimeUnit.MILLISECONDS.toNanos(HEDGE_AFTER_MS));
            System.out.printf("hedged first byte after %.1f ms: hedgeAfterMs %d + the hedge's %.1f ms%n",
                    (firstByte - sent) / 1e6, HEDGE_AFTER_MS, (firstByte - hedgeAnswers) / 1e6);
            JsonNode line = logLine(stream.response());
            JsonNode hedgeLog = line.path("hedge");
            assertEquals("quick", hedgeLog.path("route").asText(), line.toString());
            assertTrue(hedgeLog.path("started").asBoolean(), line.toString());
            assertEquals("hedge", hedgeLog.path("winner").asText(), line.toString());
            assertTrue(hedgeLog.path("primaryMs").asLong() >= HEDGE_AFTER_MS && hedgeLog.has("hedgeMs"), line.toString());
            assertEquals("quick", line.path("upstreamRoute").asText(), "the route that answered: " + line);
        }
        primaryGate.countDown();
        assertTrue(served.upstream().awaitWriteFailure(toPrimary.index(), WAIT),
                "the primary's connection was closed (it streams for 10 s otherwise)");
        assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, toPrimary.header("authorization"));
        assertEquals("Bearer " + HEDGE_KEY, toHedge.header("authorization"), "the hedge route resolved its own key");
        assertEquals(toPrimary.body().path("messages"), toHedge.body().path("messages"), "the same request");
        assertEquals("quick-upstream-model", toHedge.body().path("model").asText(), "as the hedge route sends it");
    }

    @Test
    void aPrimaryThatAnswersInTimeStartsNoHedge() throws Exception {
        served.upstream().enqueue(answer("Quick enough"));

        HttpResponse<String> response = served.client().postChat(chatFor("patient-model"));

        assertEquals(body("Quick enough"), response.body());
        JsonNode hedgeLog = logLine(response).path("hedge");
        assertFalse(hedgeLog.path("started").asBoolean(true), hedgeLog.toString());
        assertEquals("primary", hedgeLog.path("winner").asText(), hedgeLog.toString());
        assertFalse(hedgeLog.has("hedgeMs"), hedgeLog.toString());
        assertEquals(0, hedge.requestCount(), "the hedge upstream saw no request (the race ended before the log line)");
    }

    @Test
    void whenBothAreSlowTheRoutesFallbackAnswersAsWithoutAHedge() throws Exception {
        served.upstream().enqueue(Script.sse(200).holdHead(gate()));
        hedge.enqueue(Script.sse(200).holdHead(gate()));
        served.upstream().enqueue(answer("The fallback"));

        HttpResponse<String> response = served.client().postChat(chatFor("slow-model"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(body("The fallback"), response.body());
        assertEquals("/backup/v1/chat/completions", nthRequest(2).path());
        JsonNode line = logLine(response);
        assertEquals("none", line.path("hedge").path("winner").asText(), line.toString());
        assertTrue(line.path("hedge").path("started").asBoolean(), line.toString());
        assertEquals("backup", line.path("upstreamRoute").asText(), line.toString());
        assertEquals(1, hedge.requestCount(), "one hedge per request: the fallback is not hedged again");
    }

    @Test
    void whenBothAreSlowAndNothingIsLeftTheCallerGetsTheTimeout() throws Exception {
        served.upstream().enqueue(Script.sse(200).holdHead(gate()));
        hedge.enqueue(Script.sse(200).holdHead(gate()));

        HttpResponse<String> response = served.client().postChat(chatFor("alone-model"));

        assertOpenAiError(response, 504, "upstream_timeout");
        assertEquals("none", logLine(response).path("hedge").path("winner").asText());
        assertEquals(1, served.upstream().requestCount(), "a first-byte timeout is not retried on the same route");
    }

    @Test
    void aHedgeThatFailsLeavesThePrimaryToAnswer() throws Exception {
        CountDownLatch primaryGate = gate();
        served.upstream().enqueue(Script.sse(200).gate(primaryGate).chunk(Chunks.role())
                .chunk(Chunks.content("Primary after all")).chunk(Chunks.finish("stop")).done());
        CountDownLatch hedgeRefused = new CountDownLatch(1);
        hedge.enqueue(Script.json(503, Chunks.error("Overloaded.", "server_error", null)).signal(hedgeRefused));

        CompletableFuture<HttpResponse<String>> response = served.client().sendAsync(
                served.client().chat(chatFor("voice-model")));
        assertTrue(hedgeRefused.await(10, TimeUnit.SECONDS), "the hedge was asked, and refused");
        primaryGate.countDown();

        assertEquals(body("Primary after all"), response.get(10, TimeUnit.SECONDS).body());
        JsonNode line = logLine(response.get());
        assertEquals("primary", line.path("hedge").path("winner").asText(), line.toString());
        assertFalse(line.has("upstreamRoute"), "the route itself answered: " + line);
    }

    @Test
    void aPrimaryThatFailsAfterTheHedgeStartedLeavesTheHedgeToAnswer() throws Exception {
        CountDownLatch primaryGate = gate();
        CountDownLatch primaryRefused = new CountDownLatch(1);
        served.upstream().enqueue(Script.json(503, Chunks.error("Overloaded.", "server_error", null))
                .holdHead(primaryGate).signal(primaryRefused));
        CountDownLatch hedgeGate = gate();
        hedge.enqueue(Script.sse(200).gate(hedgeGate).chunk(Chunks.role()).chunk(Chunks.content("The hedge saves it"))
                .chunk(Chunks.finish("stop")).done());

        CompletableFuture<HttpResponse<String>> response = served.client().sendAsync(
                served.client().chat(chatFor("voice-model")));
        hedge.nextRequest();
        primaryGate.countDown();
        assertTrue(primaryRefused.await(10, TimeUnit.SECONDS));
        hedgeGate.countDown();

        assertEquals(body("The hedge saves it"), response.get(10, TimeUnit.SECONDS).body());
        assertEquals("hedge", logLine(response.get()).path("hedge").path("winner").asText());
        assertEquals(1, served.upstream().requestCount(), "the primary was not retried: the hedge answered");
    }

    @Test
    void bothRoutesKeysAreScrubbedFromTheHedgesAnswer() throws Exception {
        served.upstream().enqueue(Script.sse(200).holdHead(gate()));
        hedge.enqueue(answer("keys " + HEDGE_KEY + " and " + RelayUnderTest.UPSTREAM_KEY));

        HttpResponse<String> response = served.client().postChat(chatFor("voice-model"));

        assertEquals(body("keys [redacted] and [redacted]"), response.body());
    }

    @Test
    void aWholeAnswerRacesTheSameWay() throws Exception {
        served.upstream().enqueue(Script.json(200, Chunks.completion("Slow and whole")).holdHead(gate()));
        hedge.enqueue(Script.json(200, Chunks.completion("Hedged and whole")));

        HttpResponse<String> response = served.client().postChat(chatFor("voice-model").replace("true", "false"));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(json(Chunks.completion("Hedged and whole")), json(response.body()));
    }

    private static FakeUpstream.Recorded nthRequest(int n) throws InterruptedException {
        FakeUpstream.Recorded recorded = null;
        for (int i = 0; i < n; i++) {
            recorded = served.upstream().nextRequest();
        }
        return recorded;
    }
}
