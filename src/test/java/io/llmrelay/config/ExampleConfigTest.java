package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.keys.KeyReference;
import io.llmrelay.relay.caller.CallerAuthenticator;
import io.llmrelay.relay.route.Router;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** relay.example.json is what people copy first, so it must always load and do what its comments say. */
class ExampleConfigTest {
    private final RelayConfig config = ConfigLoader.fromFile(Path.of("relay.example.json"));

    @Test
    void loadsAndValidates() {
        assertEquals(List.of("vapi", "simli"), config.callers().stream().map(CallerConfig::name).toList());
        assertEquals(List.of("openai", "azure", "groq", "openrouter", "ollama"),
                config.routes().stream().map(RouteConfig::name).toList());
        assertEquals(null, config.route("ollama").orElseThrow().apiKey(), "a keyless self-hosted upstream");
        assertEquals("openai", config.defaultRoute().orElseThrow().name());
        assertEquals(KeyReference.env("OPENAI_API_KEY"), config.route("openai").orElseThrow().apiKey());
    }

    @Test
    void azureRouteRenamesTheModelAndUsesApiKeyHeader() {
        RouteConfig azure = config.route("azure").orElseThrow();
        assertEquals("api-key", azure.apiKeyHeader());
        assertEquals("my-gpt-4o-deployment", azure.upstreamModel());
        Router router = new Router(config);
        assertEquals(azure, router.route("azure-gpt-4o").orElseThrow());
        assertEquals("my-gpt-4o-deployment", router.upstreamModel(azure, "azure-gpt-4o"));
        assertEquals("openrouter", router.route("anthropic/claude-sonnet-4").orElseThrow().name());
        assertEquals("openai", router.route("gpt-4o-2024-08-06").orElseThrow().name());
    }

    @Test
    void documentedExampleKeysMatchTheirHashes() {
        CallerAuthenticator auth = new CallerAuthenticator(config.callers());
        assertEquals("vapi", auth.authenticate(
                Map.of("authorization", "Bearer rk-example-vapi-key-DO-NOT-USE")::get).callerName());
        assertEquals("simli", auth.authenticate(
                Map.of("x-api-key", "rk-example-simli-key-DO-NOT-USE")::get).callerName());
        assertTrue(config.route("openrouter").orElseThrow().headers().containsKey("X-Title"));
    }
}
