package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.cli.probe.PacedUpstream.Script;
import io.llmrelay.testing.FakeUpstream.Chunks;
import java.net.ServerSocket;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The probe against a scripted upstream reached directly: which events leave together and which
 * apart is decided by the script, so burst detection and the [DONE] count are checked against
 * what really went over the wire. Timings are tens of ms; assertions are on structure and counts.
 */
class ProbeScriptedUpstreamTest {
    static final String KEY = "sk-probe-test-KEY-7d1e0b";

    static PacedUpstream upstream;
    static HttpClient http;

    /** role, then 10 content chunks 20 ms apart, then finish and [DONE] in one write, as OpenAI ends a stream. */
    static Script clean() {
        return Script.sse().events(Chunks.role()).pause(20).paced(10, 20, i -> Chunks.content("w" + i)).pause(20)
                .events(Chunks.finish("stop"), "[DONE]");
    }

    /** For tests about anything but pacing: a short stream, 2 ms apart. */
    static Script quick() {
        return Script.sse().events(Chunks.role()).pause(2).paced(3, 2, i -> Chunks.content("q" + i)).pause(2)
                .events(Chunks.finish("stop"), "[DONE]");
    }

    @BeforeAll
    static void start() throws Exception {
        upstream = PacedUpstream.start(quick());
        http = Probing.http();
    }

    @AfterAll
    static void stop() throws Exception {
        upstream.close();
        http.close();
    }

    @BeforeEach
    void forgetEarlierRequests() {
        upstream.reset();
    }

    private static Probing.Result probe(String... args) throws Exception {
        return Probing.probe(http, Map.of(), args);
    }

    @Test
    void aCleanStreamIsNotReportedAsBursty() throws Exception {
        upstream.enqueue(clean()).enqueue(clean());

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "2");

        assertEquals(0, r.exit(), r.out());
        for (int i = 0; i < 2; i++) {
            JsonNode req = r.request(i);
            assertTrue(req.path("ok").asBoolean(), req.toString());
            assertEquals(0, req.path("heldBack").asInt(), req.toString());
            assertEquals(0, req.path("bursts").size(), req.toString());
            assertEquals(12, req.path("chunks").asInt());
            assertEquals(1, req.path("doneCount").asInt());
            assertEquals(13, req.path("events").size());
        }
        assertTrue(r.out().contains("2/2"), r.out());
        assertFalse(r.out().contains("held back: events"), r.out());
    }

    @Test
    void aHeldBackBurstIsReportedWithItsSize() throws Exception {
        // events 1-5 20 ms apart, a 200 ms pause, events 6-10 in one write, then finish and [DONE] apart
        upstream.enqueue(Script.sse().paced(5, 20, i -> Chunks.content("a" + i)).pause(200)
                .events(Chunks.content("b0"), Chunks.content("b1"), Chunks.content("b2"), Chunks.content("b3"),
                        Chunks.content("b4"))
                .pause(20).events(Chunks.finish("stop")).pause(20).done());

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1");

        JsonNode req = r.request(0);
        assertEquals(1, req.path("bursts").size(), req.toString());
        JsonNode burst = req.path("bursts").path(0);
        assertEquals(5, burst.path("firstEvent").asInt(), "the burst starts at the 6th event");
        assertEquals(5, burst.path("events").asInt());
        assertTrue(burst.path("pauseMs").asDouble() >= 150, burst.toString());
        assertEquals(5, req.path("heldBack").asInt());
        assertTrue(r.out().contains("5 chunks held back: events 6-10"), r.out());
        assertEquals(0, r.exit(), "a burst is reported, but the stream itself is complete");
    }

    @Test
    void aStreamWithoutDoneFailsAndSaysSo() throws Exception {
        upstream.enqueue(Script.sse().events(Chunks.role(), Chunks.content("Hi"), Chunks.finish("stop")));

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1");

        assertEquals(1, r.exit());
        assertEquals(0, r.request(0).path("doneCount").asInt());
        assertFalse(r.request(0).path("ok").asBoolean());
        assertTrue(r.out().contains("A #1: no [DONE]"), r.out());
    }

    @Test
    void twoDonesFailAndAreCounted() throws Exception {
        upstream.enqueue(Script.sse().events(Chunks.content("Hi")).pause(5).done().pause(5).done());

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1");

        assertEquals(1, r.exit());
        assertEquals(2, r.request(0).path("doneCount").asInt());
        assertTrue(r.out().contains("2 [DONE] events, expected exactly one"), r.out());
    }

    @Test
    void onlyExactlyOneDoneOfEveryRequestExitsZero() throws Exception {
        upstream.enqueue(quick()).enqueue(Script.sse().events(Chunks.content("Hi")).done().done()).enqueue(quick());

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "3");

        assertEquals(1, r.exit(), "one bad request of three is enough to fail");
        assertTrue(r.request(0).path("ok").asBoolean());
        assertFalse(r.request(1).path("ok").asBoolean());
        assertTrue(r.request(2).path("ok").asBoolean());
        assertTrue(r.out().lines().anyMatch(l -> l.matches("\\s*A\\s+2\\s+FAILED\\s.*")), r.out());
    }

    @Test
    void aStreamThatStallsPastTheTimeoutIsCutAndReported() throws Exception {
        upstream.enqueue(Script.sse().events(Chunks.role(), Chunks.content("Hi")).pause(10_000).done());

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1", "--timeout", "1");

        assertEquals(1, r.exit());
        assertTrue(r.out().contains("A #1: no end within 1 s (--timeout)"), r.out());
        assertEquals(2, r.request(0).path("events").size(), "what came before the stall is kept");
        assertTrue(r.request(0).path("totalMs").isNull());
    }

    @Test
    void anErrorStatusIsReportedWithTheServersMessage() throws Exception {
        upstream.enqueue(Script.of(429, "application/json")
                .raw(Chunks.error("Rate limit reached for gpt-4o-mini", "requests", "rate_limit_exceeded")));

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1");

        assertEquals(1, r.exit());
        assertEquals(429, r.request(0).path("status").asInt());
        assertTrue(r.out().contains("A #1: 429 rate_limit_exceeded: Rate limit reached for gpt-4o-mini"), r.out());
        r.assertNoStackTrace();
    }

    @Test
    void anErrorEventInTheStreamIsReported() throws Exception {
        upstream.enqueue(Script.sse().events(Chunks.content("Hel")).pause(5)
                .events(Chunks.error("The upstream stopped answering", "server_error", "upstream_timeout"), "[DONE]"));

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1");

        assertEquals(1, r.exit());
        assertTrue(r.out().contains("error event: upstream_timeout: The upstream stopped answering"), r.out());
        assertEquals("error", r.request(0).path("events").path(1).path("kind").asText());
    }

    @Test
    void aBodyThatIsNotAnEventStreamIsReported() throws Exception {
        upstream.enqueue(Script.of(200, "application/json").raw(Chunks.completion("Hello")));

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1");

        assertEquals(1, r.exit());
        assertTrue(r.out().contains("not an event stream: content-type 'application/json'"), r.out());
        assertTrue(r.out().contains("the server did not stream"), r.out());
    }

    @Test
    void aRefusedConnectionIsOneLineNotAStackTrace() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }

        Probing.Result r = probe("http://127.0.0.1:" + port + "/v1", "--requests", "2");

        assertEquals(1, r.exit());
        assertTrue(r.out().contains("A #1: could not connect"), r.out());
        assertTrue(r.out().contains("A #2: could not connect"), r.out());
        assertTrue(r.request(0).path("status").isNull());
        r.assertNoStackTrace();
    }

    @Test
    void theKeyIsSentButNeverShownEvenWhenTheServerQuotesIt() throws Exception {
        upstream.enqueue(quick()).enqueue(Script.of(401, "application/json")
                .raw(Chunks.error("Incorrect API key provided: " + KEY + ".", "invalid_request_error", "invalid_api_key")));

        Probing.Result r = probe(upstream.baseUrl(), "--requests", "2", "--key", KEY);

        assertEquals("Bearer " + KEY, upstream.nextHead().get("authorization"), "the probe must send the key");
        assertEquals("Bearer " + KEY, upstream.nextHead().get("authorization"));
        assertFalse(r.everything().contains(KEY), r.everything());
        assertFalse(r.everything().contains("7d1e0b"), "not even its end");
        assertTrue(r.out().contains("invalid_api_key: Incorrect API key provided: ******."), r.out());
        assertTrue(r.out().contains("key ****** (masked)"), r.out());
        assertTrue(r.json().path("targets").path(0).path("keyGiven").asBoolean());
    }

    @Test
    void aKeyCanComeFromTheEnvironment() throws Exception {

        Probing.Result r = Probing.probe(http, Map.of("PROBE_TEST_KEY", KEY), upstream.baseUrl(), "--requests", "1",
                "--key", "env:PROBE_TEST_KEY");

        assertEquals(0, r.exit(), r.out());
        assertEquals("Bearer " + KEY, upstream.nextHead().get("authorization"));
        assertFalse(r.everything().contains(KEY));
    }

    @Test
    void aFullChatCompletionsUrlIsUsedAsItIs() throws Exception {
        Probing.Result r = probe(upstream.baseUrl() + "/chat/completions", "--requests", "1");

        assertEquals(0, r.exit(), r.out());
        assertEquals("/v1/chat/completions", upstream.nextHead().get(":path"));
    }

    @Test
    void compareInterleavesBothSidesAndPrintsTheDifference() throws Exception {
        String base = upstream.baseUrl().replace("/v1", "");

        Probing.Result r = probe(base + "/relay/v1", "--requests", "3", "--compare", base + "/direct/v1",
                "--compare-model", "gpt-4o");

        assertEquals(0, r.exit(), r.out());
        for (int i = 0; i < 6; i++) {
            assertEquals(i % 2 == 0 ? "/relay/v1/chat/completions" : "/direct/v1/chat/completions",
                    upstream.nextHead().get(":path"), "request " + i + " goes A B A B ...");
        }
        assertTrue(r.out().contains("A - B (medians"), r.out());
        for (String metric : new String[] {"headers", "first content", "total", "gap p50", "gap p99", "gap max"}) {
            assertTrue(r.out().lines().anyMatch(l -> l.strip().startsWith(metric + " ") && l.contains("x")),
                    "a difference row for " + metric + ":\n" + r.out());
        }
        JsonNode json = r.json();
        assertEquals(2, json.path("targets").size());
        assertEquals("gpt-4o", json.path("targets").path(1).path("model").asText());
        assertEquals(Metric.values().length, json.path("comparison").size());
        JsonNode headers = json.path("comparison").path(0);
        assertEquals("headersMs", headers.path("metric").asText());
        assertEquals(headers.path("a").asDouble() - headers.path("b").asDouble(), headers.path("difference").asDouble(), 0.002);
        assertEquals(3, json.path("targets").path(1).path("ok").asInt());
    }

    @Test
    void theJsonHasEveryDocumentedFieldAndTheDocsNameEveryField() throws Exception {
        String readme = java.nio.file.Files.readString(java.nio.file.Path.of("README.md"));
        Probing.Result r = probe(upstream.baseUrl(), "--requests", "1", "--compare", upstream.baseUrl());

        JsonNode json = r.json();
        java.util.List<String> documented = new java.util.ArrayList<>();
        for (String f : new String[] {"format", "startedAt", "requestsPerTarget", "concurrency", "prompt", "burstRule",
                "targets", "requests", "comparison"}) {
            assertTrue(json.has(f), f);
            documented.add(f);
        }
        assertEquals(JsonReport.FORMAT, json.path("format").asText());
        JsonNode target = json.path("targets").path(0);
        for (String f : new String[] {"side", "url", "model", "keyGiven", "requests", "ok", "summary"}) {
            assertTrue(target.has(f), f);
            documented.add(f);
        }
        for (Metric m : Metric.values()) {
            assertTrue(target.path("summary").path(m.jsonName).has("median"), m.jsonName);
            assertTrue(target.path("summary").path(m.jsonName).has("p90"), m.jsonName);
            documented.add(m.jsonName);
        }
        JsonNode request = r.request(0);
        for (String f : new String[] {"side", "number", "ok", "status", "error", "headersMs", "firstContentMs", "totalMs",
                "chunks", "doneCount", "gapP50Ms", "gapP99Ms", "gapMaxMs", "heldBack", "bursts", "events"}) {
            assertTrue(request.has(f), f);
            documented.add(f);
        }
        for (String f : new String[] {"atMs", "gapMs", "kind"}) {
            assertTrue(request.path("events").path(1).has(f), f);
            documented.add(f);
        }
        for (String f : new String[] {"metric", "a", "b", "difference", "ratio", "firstEvent", "events", "pauseMs"}) {
            documented.add(f);
        }
        assertTrue(json.path("comparison").path(0).has("ratio"));
        assertEquals(r.request(0).path("events").size(), request.path("chunks").asInt() + 1);
        for (String f : documented) {
            assertTrue(ProbeCommand.USAGE.contains("\"" + f + "\""), "probe --help documents " + f);
            assertTrue(readme.contains("\"" + f + "\""), "the README documents " + f);
        }
        // and the burst object's fields as written
        upstream.enqueue(Script.sse().events(Chunks.content("a")).pause(20).events(Chunks.content("b")).pause(200)
                .events(Chunks.content("c"), Chunks.content("d"), "[DONE]"));
        JsonNode burst = probe(upstream.baseUrl(), "--requests", "1").request(0).path("bursts").path(0);
        for (String f : new String[] {"firstEvent", "events", "pauseMs"}) {
            assertTrue(burst.has(f), f + " in " + burst);
        }
    }
}
