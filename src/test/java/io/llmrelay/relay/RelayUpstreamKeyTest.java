package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ConfigException;
import io.llmrelay.relay.log.LogLevel;
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
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The upstream key: sent the way the route says, never anywhere else. It does not reach a
 * caller, not even masked the way providers print it, and serve never prints it.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RelayUpstreamKeyTest {
    /** How OpenAI prints {@link RelayUnderTest#UPSTREAM_KEY} in its 401: first six, stars, last two. */
    private static final String MASKED_KEY = "sk-tes*****9c";
    private static final String MISSING_ENV = "RELAY_TEST_KEY_THAT_IS_NOT_SET";
    /**
     * Keys as they arrive when pasted with something invisible (or worse) in them, by the character
     * the HTTP client refuses: each one would otherwise be quoted whole by the JDK's exception.
     */
    private static final Map<String, String> UNSENDABLE_KEYS = Map.of(
            "U+200B", "sk-test-zwsp-\u200b-SECRET-0a1b",
            "U+FEFF", "\ufeffsk-test-bom-SECRET-2c3d",
            "U+0007", "sk-test-bell-\u0007-SECRET-4e5f",
            "U+007F", "sk-test-del-\u007f-SECRET-6a7b",
            "U+0416", "sk-test-cyrillic-\u0416-SECRET-8c9d");

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> {
        String base = "http://127.0.0.1:" + upstream.port();
        List<String> routes = new ArrayList<>(List.of(
                RelayUnderTest.route("main", base + "/v1", "[\"gpt-4o-mini\"]", "\"default\": true"),
                RelayUnderTest.route("azure", base + "/azure/v1", "[\"azure-gpt\"]",
                        "\"apiKeyHeader\": \"api-key\", \"headers\": {\"OpenAI-Organization\": \"org-test\","
                                + " \"X-Ms-Client-Tag\": \"relay-test\"}"),
                """
                {"name": "nokey", "baseUrl": "%s/v1", "apiKey": "env:%s", "models": ["nokey-model"]}"""
                        .formatted(base, MISSING_ENV)));
        UNSENDABLE_KEYS.keySet().forEach(code -> routes.add("""
                {"name": "%s", "baseUrl": "%s/v1", "apiKey": "env:%s", "models": ["%s"]%s}""".formatted(
                unsendableRoute(code), base, unsendableRoute(code).toUpperCase(Locale.ROOT).replace('-', '_'),
                unsendableRoute(code), code.equals("U+0007") ? ", \"apiKeyHeader\": \"api-key\"" : "")));
        return RelayUnderTest.config(null, routes.toArray(String[]::new));
    }).serving(serve -> serve.env(environment()).customize(setup -> setup.withLogLevel(LogLevel.DEBUG)));

    private static String unsendableRoute(String code) {
        return "key-" + code.substring(2).toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> environment() {
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        UNSENDABLE_KEYS.forEach((code, key) -> env.put(unsendableRoute(code).toUpperCase(Locale.ROOT).replace('-', '_'), key));
        return env;
    }

    private static String chatFor(String model) {
        return CHAT.replace("gpt-4o-mini", model);
    }

    /** Neither the key nor a masked form of it is in the text. */
    private static void assertNoUpstreamKeyIn(String text) {
        assertFalse(text.contains(RelayUnderTest.UPSTREAM_KEY), () -> "the upstream key reached the caller: " + text);
        assertFalse(text.contains(MASKED_KEY), () -> "the masked upstream key reached the caller: " + text);
        assertFalse(text.contains("*****"), () -> "a masked key reached the caller: " + text);
    }

    @Test
    void theUpstreamGetsTheRoutesKeyAsABearerTokenAndNotTheCallers() throws Exception {
        served.client().send(served.client().chat(CHAT).header("x-api-key", RelayUnderTest.CALLER_KEY));

        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, request.header("authorization"));
        assertNull(request.header("api-key"));
        assertNull(request.header("x-api-key"), "caller headers are not forwarded");
        assertFalse(request.headers().toString().contains(RelayUnderTest.CALLER_KEY), "the caller key stays with the relay");
    }

    @Test
    void anApiKeyHeaderRouteSendsTheBareKeyThereAndNoAuthorization() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("azure-gpt"));

        assertEquals(200, response.statusCode(), response.body());
        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/azure/v1/chat/completions", request.path());
        assertEquals(RelayUnderTest.UPSTREAM_KEY, request.header("api-key"));
        assertNull(request.header("authorization"));
    }

    @Test
    void aRoutesExtraHeadersReachTheUpstream() throws Exception {
        served.client().postChat(chatFor("azure-gpt"));

        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("org-test", request.header("openai-organization"));
        assertEquals("relay-test", request.header("x-ms-client-tag"));
    }

    @Test
    void anUpstream401WithTheMaskedKeyReachesTheCallerWithoutIt() throws Exception {
        served.upstream().enqueue(Script.json(401, Chunks.error("Incorrect API key provided: " + MASKED_KEY
                + ". You can find your API key at https://platform.openai.com/account/api-keys.",
                "invalid_request_error", "invalid_api_key")));

        HttpResponse<String> response = served.client().postChat(CHAT);

        JsonNode error = assertOpenAiError(response, 401, "invalid_api_key");
        assertNoUpstreamKeyIn(response.body());
        assertTrue(error.get("message").asText().startsWith("Incorrect API key provided: "), error.toString());
        assertTrue(error.get("message").asText().contains("platform.openai.com"), "the rest of the message stays");
    }

    @Test
    void anUpstream401WithTheWholeKeyReachesTheCallerWithoutIt() throws Exception {
        served.upstream().enqueue(Script.json(401, Chunks.error("Incorrect API key provided: " + RelayUnderTest.UPSTREAM_KEY + ".",
                "invalid_request_error", "invalid_api_key")));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 401, "invalid_api_key");
        assertNoUpstreamKeyIn(response.body());
    }

    @Test
    void anApiKeyHeaderRoutes401WithTheKeyReachesTheCallerWithoutIt() throws Exception {
        served.upstream().enqueue(Script.json(401, Chunks.error("Access denied due to invalid subscription key "
                + RelayUnderTest.UPSTREAM_KEY + ".", "invalid_request_error", "401")));

        HttpResponse<String> response = served.client().postChat(chatFor("azure-gpt"));

        assertOpenAiError(response, 401, "401");
        assertNoUpstreamKeyIn(response.body());
    }

    @Test
    void anUpstream5xxThatEchoesTheKeyIsA502WithoutIt() throws Exception {
        served.upstream().enqueue(Script.json(500, Chunks.error("auth backend failed for key " + RelayUnderTest.UPSTREAM_KEY,
                "server_error", null)));

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 502, "upstream_unavailable");
        assertNoUpstreamKeyIn(response.body());
    }

    @Test
    void anUpstreamErrorEventThatEchoesTheKeyBeforeTheFirstByteReachesTheCallerWithoutIt() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.error("Incorrect API key provided: " + MASKED_KEY + " (key "
                + RelayUnderTest.UPSTREAM_KEY + ")", "invalid_request_error", "invalid_api_key")).done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertOpenAiError(response, 502, "invalid_api_key");
        assertNoUpstreamKeyIn(response.body());
    }

    @Test
    void anUpstreamErrorEventThatEchoesTheKeyMidStreamReachesTheCallerWithoutIt() throws Exception {
        served.upstream().enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.error("Key " + RelayUnderTest.UPSTREAM_KEY + " (" + MASKED_KEY + ") was revoked.",
                        "invalid_request_error", "invalid_api_key"))
                .done());

        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        List<String> payloads = payloads(response.body());
        assertEquals(3, payloads.size(), response.body());
        assertErrorBody(payloads.get(1), "invalid_api_key");
        assertNoUpstreamKeyIn(response.body());
    }

    @Test
    void aKeyWhoseEnvironmentVariableIsMissingIs503NamingTheRoute() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("nokey-model"));

        JsonNode error = assertOpenAiError(response, 503, "upstream_key_unavailable");
        assertTrue(error.get("message").asText().contains("'nokey'"), error.toString());
        assertEquals(0, served.upstream().requestCount(), "nothing went upstream without a key");
        assertEquals(200, served.client().postChat(CHAT).statusCode(), "other routes are unaffected");
    }

    @Test
    void aKeyWithACharacterTheHttpClientRefusesIs503SayingWhichWithoutTheKey() throws Exception {
        for (Map.Entry<String, String> unsendable : UNSENDABLE_KEYS.entrySet()) {
            String code = unsendable.getKey();
            String route = unsendableRoute(code);

            HttpResponse<String> response = served.client().postChat(chatFor(route));

            JsonNode error = assertOpenAiError(response, 503, "upstream_key_unavailable");
            assertEquals("The upstream API key for route '" + route + "' is not available: it contains a character"
                    + " not allowed in an HTTP header value (" + code + ").", error.get("message").asText());
            assertEquals(0, served.upstream().requestCount(), "nothing went upstream");
            JsonNode line = LogLines.lastRequestLine(served.relay());
            assertEquals(503, line.get("status").asInt(), line.toString());
            assertEquals("upstream_key_unavailable", line.get("error").asText());
            assertTrue(line.get("errorDetail").asText().endsWith("contains a character not allowed in an"
                    + " HTTP header value (" + code + ")"), line.toString());
        }
        String everything = served.client().everythingReceived() + served.relay().output();
        for (String key : UNSENDABLE_KEYS.values()) {
            assertFalse(everything.contains(key), "a key reached a caller or the output");
            assertFalse(everything.contains(key.substring(key.indexOf("SECRET"))), "part of a key reached a caller or the output");
        }
        assertEquals(200, served.client().postChat(CHAT).statusCode(), "the function goes on serving");
    }

    @Test
    void aRouteHeaderTheHttpClientRefusesStopsServeAtStartNamingTheFieldNotTheValue() {
        // Before, serve started, and every request to the route failed inside HttpRequest building with
        // an IllegalArgumentException that quoted the value, printed by the runtime and reported to Lambda.
        for (String header : List.of("\"X-Tag\": \"tag\\u200bSECRET-in-a-header\"", "\"Expect\": \"100-continue\"")) {
            String config = RelayUnderTest.oneRouteConfig(served.upstream().baseUrl(), "\"headers\": {" + header + "}");
            ConfigException e = assertThrows(ConfigException.class, () -> RelayUnderTest.with(config).start().close());
            String name = header.substring(1, header.indexOf('"', 1));
            assertTrue(e.getMessage().contains("routes[0].headers[\"" + name + "\"]: "), e.getMessage());
            assertFalse(e.getMessage().contains("SECRET") || e.getMessage().contains("100-continue"), e.getMessage());
        }
    }

    @Test
    void aKeyThatCannotBeResolvedLogsTheResolversReason() throws Exception {
        assertOpenAiError(served.client().postChat(chatFor("nokey-model")), 503, "upstream_key_unavailable");

        JsonNode line = LogLines.lastRequestLine(served.relay());
        assertEquals("route 'nokey': environment variable " + MISSING_ENV + " is not set (the route's apiKey is env:"
                + MISSING_ENV + ")", line.get("errorDetail").asText(), line.toString());
        JsonNode attempt = line.get("attemptLog").get(0);
        assertEquals("key_unavailable", attempt.get("outcome").asText());
        assertEquals(line.get("errorDetail"), attempt.get("detail"), "and at debug, on the attempt itself");
    }

    @Test
    @Order(Integer.MAX_VALUE)
    void finallyNoKeyAppearsInAnyResponseOrInServesOutput() {
        String received = served.client().everythingReceived();
        assertFalse(received.isEmpty(), "the other tests ran first");
        assertTrue(served.relay().output().contains("\"log\":\"request\""), "serve's output has the request log lines");
        assertNoUpstreamKeyIn(received);
        served.client().assertNoKeyLeaked();
        assertFalse(served.relay().output().contains(MASKED_KEY), "serve printed the masked key");
    }
}
