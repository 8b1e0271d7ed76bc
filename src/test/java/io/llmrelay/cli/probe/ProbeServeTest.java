package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The probe against {@code serve} (the relay's whole path: local Function URL, runtime loop,
 * handler) with a scripted upstream behind it, as a user would point it at a deployed URL, and
 * with {@code --compare} against that upstream directly.
 */
class ProbeServeTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    static HttpClient http;

    @BeforeAll
    static void client() {
        http = Probing.http();
    }

    @AfterAll
    static void closeClient() {
        http.close();
    }

    private static Probing.Result probe(String... args) throws Exception {
        Probing.Result r = Probing.probe(http, Map.of("CALLER_KEY", RelayUnderTest.CALLER_KEY), args);
        RelayUnderTest.assertNoTestKeyIn(r.everything());
        return r;
    }

    private static String relay() {
        return served.relay().baseUrl().toString();
    }

    @Test
    void aStreamThroughServeIsMeasuredAndOk() throws Exception {
        Probing.Result r = probe(relay(), "--key", "env:CALLER_KEY", "--requests", "3", "--concurrency", "2");

        assertEquals(0, r.exit(), r.out());
        for (int i = 0; i < 3; i++) {
            JsonNode req = r.request(i);
            assertTrue(req.path("ok").asBoolean(), req.toString());
            assertEquals(200, req.path("status").asInt());
            assertEquals(3, req.path("chunks").asInt(), "role, Hello, finish");
            assertEquals(1, req.path("doneCount").asInt());
            assertEquals(0, req.path("heldBack").asInt());
            assertTrue(req.path("firstContentMs").asDouble() >= req.path("headersMs").asDouble(), req.toString());
            assertTrue(req.path("totalMs").asDouble() >= req.path("firstContentMs").asDouble(), req.toString());
            assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, served.upstream().nextRequest().header("authorization"));
        }
        assertTrue(r.out().contains("3/3"), r.out());
    }

    @Test
    void aWrongCallerKeyIsReportedWithTheRelaysMessage() throws Exception {
        Probing.Result r = probe(relay(), "--key", "rk-not-the-key", "--requests", "1");

        assertEquals(1, r.exit());
        assertEquals(401, r.request(0).path("status").asInt());
        assertTrue(r.out().contains("A #1: 401 invalid_api_key: "), r.out());
        assertFalse(r.everything().contains("rk-not-the-key"));
        r.assertNoStackTrace();
    }

    @Test
    void theRelayEndsAStreamTheUpstreamLeftWithoutDoneWithExactlyOne() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Hi")).chunk(Chunks.finish("stop")));

        Probing.Result r = probe(relay(), "--key", "env:CALLER_KEY", "--requests", "1");

        assertEquals(0, r.exit(), r.out());
        assertEquals(1, r.request(0).path("doneCount").asInt());
    }

    @Test
    void anUpstreamFailureAfterTheFirstChunkShowsAsAnErrorEvent() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Hi")).cutOff());

        Probing.Result r = probe(relay(), "--key", "env:CALLER_KEY", "--requests", "1");

        assertEquals(1, r.exit());
        assertTrue(r.out().contains("A #1: error event: upstream_unavailable: "), r.out());
        assertEquals(1, r.request(0).path("doneCount").asInt(), "the relay still ends with [DONE]");
    }

    @Test
    void compareShowsTheRelayAgainstTheUpstreamDirectly() throws Exception {
        Probing.Result r = Probing.probe(http, Map.of("CALLER_KEY", RelayUnderTest.CALLER_KEY,
                "UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY), relay(), "--key", "env:CALLER_KEY", "--requests", "2",
                "--compare", served.upstream().baseUrl(), "--compare-key", "env:UPSTREAM_KEY");

        RelayUnderTest.assertNoTestKeyIn(r.everything());
        assertEquals(0, r.exit(), r.out());
        assertTrue(r.out().contains("  A  " + relay() + "/chat/completions"), r.out());
        assertTrue(r.out().contains("  B  " + served.upstream().baseUrl() + "/chat/completions"), r.out());
        assertTrue(r.out().contains("A - B (medians"), r.out());
        JsonNode json = r.json();
        assertEquals("A", json.path("targets").path(0).path("side").asText());
        assertEquals(2, json.path("targets").path(0).path("ok").asInt());
        assertEquals(2, json.path("targets").path(1).path("ok").asInt());
        for (JsonNode row : json.path("comparison")) {
            if (row.path("metric").asText().equals("chunks")) {
                assertEquals(0.0, row.path("difference").asDouble(), "the relay passes every chunk through");
            }
        }
        // the direct requests reached the upstream with its own key, the relayed ones with the relay's
        for (int i = 0; i < 4; i++) {
            assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, served.upstream().nextRequest().header("authorization"));
        }
    }
}
