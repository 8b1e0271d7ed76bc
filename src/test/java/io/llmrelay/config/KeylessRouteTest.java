package io.llmrelay.config;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An {@code openai} route without {@code apiKey}: a self-hosted upstream that takes no key (Ollama,
 * vLLM, llama.cpp's server). The README documents {@code apiKey} as optional there; the upstream
 * then gets no key header of any kind, only what the route's {@code headers} add.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class KeylessRouteTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config(null, """
            {"name": "ollama", "baseUrl": "http://127.0.0.1:%d/v1", "models": ["gpt-4o-mini"], "default": true,
             "headers": {"X-Tenant": "local"}}""".formatted(upstream.port())));

    @Test
    void aKeylessRouteParsesWithNoKey() {
        RelayConfig config = ConfigLoader.parse("""
                {"routes": [{"name": "vllm", "baseUrl": "http://127.0.0.1:8000/v1", "default": true}]}""", "t");
        assertNull(config.routes().get(0).apiKey());
        assertEquals(RouteType.OPENAI, config.routes().get(0).type());
    }

    @Test
    void anApiKeyHeaderWithoutAKeyIsRefusedByName() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse("""
                {"routes": [{"name": "vllm", "baseUrl": "http://127.0.0.1:8000/v1", "default": true,
                             "apiKeyHeader": "api-key"}]}""", "t"));
        assertEquals(List.of("routes[0].apiKeyHeader: has no key to carry: set apiKey as well, or leave both out"
                + " for an upstream that takes no key"), e.problems());
    }

    @Test
    void theUpstreamOfAKeylessRouteGetsNoAuthorizationHeader() throws Exception {
        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(RelayClient.payloads(response.body()).contains("[DONE]"), response.body());
        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/v1/chat/completions", request.path());
        assertNull(request.header("authorization"), () -> "no Authorization upstream: " + request.headers());
        assertNull(request.header("api-key"));
        assertNull(request.header("x-api-key"));
        assertEquals("local", request.header("x-tenant"), "the route's own headers still go");
        for (String name : request.headers().keySet()) {
            String value = request.headers().get(name).toLowerCase(Locale.ROOT);
            assertTrue(!value.startsWith("bearer "), () -> name + " carries a bearer token: " + request.headers());
            assertTrue(!request.headers().get(name).contains(RelayUnderTest.CALLER_KEY), "the caller key stays with the relay");
        }
    }

    @Test
    void theRequestLogShowsTheRouteAnsweredWithoutAKeyLookup() throws Exception {
        served.client().postChat(CHAT);

        String line = served.relay().awaitLine("\"route\":\"ollama\"", java.time.Duration.ofSeconds(10));
        assertTrue(line != null && line.contains("\"status\":200"), () -> "request log: " + served.relay().output());
        assertTrue(!served.relay().output().contains("upstream_key_unavailable"), served.relay().output());
    }
}
