package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.app.RouteUpstreams;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.ConfigSource;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.relay.log.LogLevel;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.SingleEnvironment;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The bad-input corpus ({@code src/test/resources/bad-requests/}): every malformed request, fed
 * as a Function URL event to ONE execution environment (one runtime loop, one handler instance),
 * gets its expected status and an OpenAI error body, reaches no upstream, and a good request
 * right after it on that same environment still streams normally. A handful of entries are
 * malformed-looking requests the relay deliberately accepts (expected status 200).
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class BadRequestCorpusTest {
    private static final Duration FUNCTION_TIMEOUT = Duration.ofSeconds(30);
    private static final String DEFAULT_STREAM = "data: " + Chunks.role() + "\n\ndata: " + Chunks.content("Hello")
            + "\n\ndata: " + Chunks.finish("stop") + "\n\ndata: [DONE]\n\n";

    private static FakeUpstream upstream;
    private static SingleEnvironment environment;
    private static final ByteArrayOutputStream output = new ByteArrayOutputStream();

    @BeforeAll
    static void start() throws Exception {
        upstream = FakeUpstream.start();
        // The default maxRequestBytes (1 MiB): the corpus checks the limit the relay ships with.
        RelayConfig config = ConfigLoader.parse(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null), "corpus");
        assertEquals(RelayConfig.DEFAULT_MAX_REQUEST_BYTES, config.maxRequestBytes());
        PrintStream log = new PrintStream(output, true, StandardCharsets.UTF_8);
        RelaySetup setup = new RelaySetup(ConfigSource.fixed(config), KeyResolvers.standard(RelayUnderTest.upstreamKeyEnv()),
                false, RouteUpstreams.standard(System.getenv()), log, LogLevel.INFO, Pause.sleeping());
        environment = SingleEnvironment.start(() -> new RelayHandler(setup), log);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            environment.close();
            upstream.close();
        } finally {
            RelayUnderTest.assertNoTestKeyIn(output.toString(StandardCharsets.UTF_8));
        }
    }

    static List<BadRequestCase> corpus() throws Exception {
        return BadRequestCase.all();
    }

    @Test
    void theCorpusHasAtLeastFiftyRequestsAndCoversEveryKindTheIssueNames() throws Exception {
        List<BadRequestCase> cases = corpus();
        assertTrue(cases.size() >= 50, "only " + cases.size() + " cases");
        Set<String> names = new HashSet<>();
        cases.forEach(c -> names.add(c.name()));
        for (String kind : List.of("not-json", "messages-string", "deep-array-nesting", "invalid-utf8", "base64",
                "body-over-limit", "empty-body", "duplicate-authorization", "get-chat-completions", "legacy-completions",
                "text-plain-json", "huge-messages")) {
            assertTrue(names.stream().anyMatch(n -> n.contains(kind)), "no case for " + kind);
        }
        Set<Integer> numbers = new HashSet<>();
        for (BadRequestCase c : cases) {
            assertTrue(c.name().matches("\\d{2,3}-[a-z0-9-]+"), "file name " + c.name());
            assertTrue(numbers.add(Integer.parseInt(c.name().substring(0, c.name().indexOf('-')))), "number twice: " + c.name());
            assertTrue(c.spec().path("description").isTextual(), c.name() + " has a description");
            assertTrue(c.expect().path("status").isInt(), c.name() + " has an expected status");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corpus")
    void eachRequestGetsItsAnswerAndTheSameEnvironmentServesAGoodRequestRightAfter(BadRequestCase bad) throws Exception {
        upstream.reset();

        SingleEnvironment.Answer answer = environment.invoke(bad.event(), FUNCTION_TIMEOUT);

        String body = new String(answer.body(), StandardCharsets.UTF_8);
        assertEquals(bad.expectedStatus(), answer.status(), () -> "status; body: " + abbreviated(body));
        assertTrue(answer.end().succeeded(), "the invocation ended normally: " + answer.end());
        if (bad.expectedStatus() == 200) {
            assertEquals(DEFAULT_STREAM, body, "accepted, and relayed as usual");
            assertEquals(1, upstream.requestCount(), "it went upstream once");
        } else {
            assertOpenAiError(bad, answer, body);
            assertEquals(0, upstream.requestCount(), "nothing went upstream");
        }

        aGoodRequestStillSucceeds();
    }

    private static void assertOpenAiError(BadRequestCase bad, SingleEnvironment.Answer answer, String body) {
        JsonNode expect = bad.expect();
        assertTrue(answer.header("content-type").startsWith("application/json"), "content-type " + answer.headers());
        if (!bad.isInvalidEvent()) {
            assertFalse(answer.header("x-request-id") == null || answer.header("x-request-id").isBlank(), "x-request-id");
        }
        JsonNode error = assertErrorBody(body, expect.get("code").asText(null));
        assertEquals(expect.get("type").asText(), error.get("type").asText(), "type");
        if (expect.get("param").isNull()) {
            assertTrue(error.get("param").isNull(), () -> "param of " + body);
        } else {
            assertEquals(expect.get("param").asText(), error.get("param").asText(null), "param");
        }
        if (expect.get("code").isNull()) {
            assertTrue(error.get("code").isNull(), () -> "code of " + body);
        }
        if (expect.has("messageContains")) {
            // Says why, so a case cannot pass by failing for some other reason (a broken file, say).
            assertTrue(error.get("message").asText().contains(expect.get("messageContains").asText()),
                    () -> "message of " + abbreviated(body));
        }
        if (expect.has("messageMaxChars")) {
            assertTrue(error.get("message").asText().length() <= expect.get("messageMaxChars").asInt(),
                    "the message is cut short: " + error.get("message").asText().length() + " characters");
        }
        assertFalse(body.contains(RelayUnderTest.CALLER_KEY), "the caller key is not echoed");
    }

    private static void aGoodRequestStillSucceeds() throws Exception {
        upstream.reset();
        SingleEnvironment.Answer good = environment.invoke(BadRequestCase.goodChat("good").event(), FUNCTION_TIMEOUT);
        assertEquals(200, good.status(), () -> new String(good.body(), StandardCharsets.UTF_8));
        assertEquals(DEFAULT_STREAM, new String(good.body(), StandardCharsets.UTF_8));
        assertTrue(environment.alive(), "the execution environment is still running");
        assertEquals(1, environment.handlersCreated(), "still the same execution environment and handler");
    }

    private static String abbreviated(String text) {
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
