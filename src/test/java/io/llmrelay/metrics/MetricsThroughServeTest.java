package io.llmrelay.metrics;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The metrics lines of real requests through serve, each checked against the EMF specification's
 * rules ({@link EmfSpec}): success, an upstream error, retries, a fallback, refusals; one line per
 * request, no key, no message content, and dimension values only from the configuration.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class MetricsThroughServeTest {
    private static final String CONTENT_MARKER = "the-callers-words-7c1e";

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null,
            RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\", \"gpt-4o*\"]", "\"default\": true, \"retries\": 2"),
            RelayUnderTest.route("primary", upstream.baseUrl(), "[\"fallback-model\"]", "\"retries\": 0, \"fallback\": [\"backup\"]"),
            RelayUnderTest.route("backup", upstream.baseUrl(), "[\"backup-model\"]", "\"retries\": 0")))
            .serving(serve -> serve.env(env()).customize(setup -> setup.withPause(wait -> { })));

    private final List<String> requestIds = new ArrayList<>();

    private static Map<String, String> env() {
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        env.put("RELAY_METRICS_NAMESPACE", "LLMRelayTest");
        return env;
    }

    private static String chat(String model) {
        return "{\"model\": \"" + model + "\", \"stream\": true, \"messages\": [{\"role\": \"user\", \"content\": \""
                + CONTENT_MARKER + "\"}]}";
    }

    /** The request's metrics line, checked against the specification, as JSON. */
    private JsonNode metrics(HttpResponse<String> response) throws InterruptedException {
        String id = LogLines.requestId(response);
        requestIds.add(id);
        String line = LogLines.metricsLine(served.relay(), id);
        assertEquals(List.of(), EmfSpec.violations(line), line);
        assertFalse(line.contains(CONTENT_MARKER), "no message content: " + line);
        assertFalse(line.contains(RelayUnderTest.UPSTREAM_KEY) || line.contains(RelayUnderTest.CALLER_KEY), line);
        JsonNode json = RelayClient.json(line);
        assertEquals("LLMRelayTest", json.path("_aws").path("CloudWatchMetrics").get(0).path("Namespace").asText());
        assertEquals(1, json.path("Requests").asInt());
        return json;
    }

    private void assertOneLinePerRequest() {
        for (String id : requestIds) {
            long metricsLines = served.relay().output().lines()
                    .filter(l -> l.contains("\"log\":\"metrics\",\"requestId\":\"" + id + "\"")).count();
            assertEquals(1, metricsLines, "metrics lines for " + id);
        }
    }

    @Test
    void aStreamedSuccessHasItsTimesTokensAndConfiguredDimensions() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Hi")).chunk(Chunks.finish("stop"))
                .chunk(Chunks.usage(21, 4)).done());

        JsonNode line = metrics(served.client().postChat(chat("gpt-4o-mini")));

        assertEquals("main", line.path("Route").asText());
        assertEquals("gpt-4o-mini", line.path("Model").asText());
        assertEquals("tester", line.path("Caller").asText());
        assertEquals(200, line.path("Status").asInt());
        assertTrue(line.path("TimeToFirstByte").isNumber() && line.path("Duration").asDouble() >= line.path("TimeToFirstByte").asDouble());
        assertEquals(21, line.path("PromptTokens").asInt());
        assertEquals(4, line.path("CompletionTokens").asInt());
        assertEquals(0, line.path("Errors").asInt());
        assertEquals(0, line.path("Retries").asInt());
        assertEquals(0, line.path("Fallbacks").asInt());
        assertFalse(line.has("ErrorCode"));
        assertOneLinePerRequest();
    }

    @Test
    void anUpstreamErrorAfterRetriesCountsTheRetriesAndTheError() throws Exception {
        for (int i = 0; i < 3; i++) {
            served.upstream().enqueue(Script.json(503, Chunks.error("overloaded", "server_error", null)));
        }

        JsonNode line = metrics(served.client().postChat(chat("gpt-4o-mini")));

        assertEquals(502, line.path("Status").asInt());
        assertEquals(1, line.path("Errors").asInt());
        assertEquals("upstream_unavailable", line.path("ErrorCode").asText(), line.toString());
        assertEquals(2, line.path("Retries").asInt());
        assertEquals(0, line.path("Fallbacks").asInt());
        assertFalse(line.has("TimeToFirstByte") && line.has("PromptTokens"), "no tokens without an answer");
        assertOneLinePerRequest();
    }

    @Test
    void aRetryThatWorksIsNoError() throws Exception {
        served.upstream().enqueue(Script.json(429, Chunks.error("slow down", "rate_limit_error", "rate_limit_exceeded")));

        JsonNode line = metrics(served.client().postChat(chat("gpt-4o-mini")));

        assertEquals(200, line.path("Status").asInt());
        assertEquals(1, line.path("Retries").asInt());
        assertEquals(0, line.path("Errors").asInt());
        assertOneLinePerRequest();
    }

    @Test
    void aFallbackIsCountedUnderTheRouteTheCallerWasRoutedTo() throws Exception {
        served.upstream().enqueue(Script.json(503, Chunks.error("down", "server_error", null)));

        JsonNode line = metrics(served.client().postChat(chat("fallback-model")));

        assertEquals(200, line.path("Status").asInt());
        assertEquals("primary", line.path("Route").asText());
        assertEquals("fallback-model", line.path("Model").asText());
        assertEquals(1, line.path("Fallbacks").asInt());
        assertEquals(0, line.path("Retries").asInt());
        assertOneLinePerRequest();
    }

    @Test
    void refusedRequestsGetALineWithBoundedDimensions() throws Exception {
        RelayClient client = served.client();
        JsonNode noKey = metrics(client.send(client.chatWithoutKey(chat("gpt-4o-mini"))));
        assertEquals(List.of("none", "none", "anonymous"),
                List.of(noKey.path("Route").asText(), noKey.path("Model").asText(), noKey.path("Caller").asText()),
                "refused before routing: no route, no caller, and the body of an unauthenticated request is not read");
        assertEquals("invalid_api_key", noKey.path("ErrorCode").asText());
        assertEquals(1, noKey.path("Errors").asInt());

        String huge = "gpt-4o-" + "x".repeat(100_000);
        JsonNode globbed = metrics(client.postChat(chat(huge)));
        assertEquals("other", globbed.path("Model").asText(), "a glob match is no dimension value");
        JsonNode badPath = metrics(client.send(client.request("POST", "/v1/embeddings", CHAT)));
        assertEquals(404, badPath.path("Status").asInt());
        assertFalse(served.relay().output().lines().filter(l -> l.contains("\"log\":\"metrics\""))
                .anyMatch(l -> l.contains("xxxxxxxxxx")), "the caller's model text is in no metrics line");
        assertOneLinePerRequest();
    }

    @Test
    void relayMetricsOffWritesNoMetricsLineAndKeepsTheRequestLog() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start();
                RelayUnderTest quiet = RelayUnderTest.with(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
                        .env(Map.of("UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY, "RELAY_METRICS", "off")).start()) {
            RelayClient client = new RelayClient(quiet);
            String id = LogLines.requestId(client.postChat(CHAT));
            assertTrue(quiet.awaitOutput("{\"log\":\"request\",\"level\":\"info\",\"requestId\":\"" + id + "\"",
                    java.time.Duration.ofSeconds(10)), quiet.output());
            assertFalse(quiet.output().contains("\"_aws\""), quiet.output());
        }
    }
}
