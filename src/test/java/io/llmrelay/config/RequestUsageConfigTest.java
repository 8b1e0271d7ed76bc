package io.llmrelay.config;

import static io.llmrelay.config.OneRouteConfig.problems;
import static io.llmrelay.config.OneRouteConfig.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** A route's {@code requestUsage}: on by default where the relay can ask (OpenAI-compatible), refused where it cannot. */
class RequestUsageConfigTest {
    @Test
    void openAiCompatibleRoutesAskForUsageUnlessToldNot() {
        assertTrue(route("\"baseUrl\": \"https://a.example/v1\"").requestUsage());
        assertFalse(route("\"baseUrl\": \"https://a.example/v1\", \"requestUsage\": false").requestUsage());
        assertTrue(route("\"type\": \"demo\"").requestUsage());
        assertFalse(route("\"type\": \"demo\", \"requestUsage\": false").requestUsage());
    }

    @Test
    void translatedRoutesDoNotAskAndRefuseTheField() {
        assertFalse(route("\"type\": \"anthropic\", \"apiKey\": \"env:K\"").requestUsage());
        assertFalse(route("\"type\": \"bedrock\", \"region\": \"us-east-1\"").requestUsage());
        assertEquals(List.of("routes[0].requestUsage: is not used by a route of type \"anthropic\": its provider reports"
                + " token usage in its own events, unasked"),
                problems("\"type\": \"anthropic\", \"apiKey\": \"env:K\", \"requestUsage\": true"));
        assertEquals(List.of("routes[0].requestUsage: is not used by a route of type \"bedrock\": its provider reports"
                + " token usage in its own events, unasked"),
                problems("\"type\": \"bedrock\", \"region\": \"us-east-1\", \"requestUsage\": false"));
    }

    @Test
    void aValueThatIsNotABooleanIsNamed() {
        assertEquals(List.of("routes[0].requestUsage: must be true or false"),
                problems("\"baseUrl\": \"https://a.example/v1\", \"requestUsage\": \"no\""));
    }
}
