package io.llmrelay.config;

import static io.llmrelay.config.OneRouteConfig.problems;
import static io.llmrelay.config.OneRouteConfig.route;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** anthropic and bedrock routes: their defaults, and every misconfiguration named by its field. */
class ProviderRouteConfigTest {
    @Test
    void anthropicDefaults() {
        RouteConfig route = route("\"type\": \"anthropic\", \"apiKey\": \"env:K\"");
        assertEquals(RouteType.ANTHROPIC, route.type());
        assertEquals("https://api.anthropic.com/v1", route.baseUrl());
        assertEquals("x-api-key", route.apiKeyHeader(), "the relay puts the key in x-api-key");
        assertEquals(1024, route.defaultMaxTokens());
        assertEquals(300, route("\"type\": \"anthropic\", \"apiKey\": \"kms:AQID\", \"defaultMaxTokens\": 300").defaultMaxTokens());
        assertNull(route("\"type\": \"anthropic\", \"baseUrl\": \"http://127.0.0.1:9/v1\"").apiKey(),
                "a proxy at another baseUrl may need no key");
    }

    @Test
    void bedrockDefaults() {
        RouteConfig route = route("\"type\": \"bedrock\", \"region\": \"eu-central-1\"");
        assertEquals("https://bedrock-runtime.eu-central-1.amazonaws.com", route.baseUrl());
        assertEquals("eu-central-1", route.region());
        assertNull(route.apiKey());
        assertEquals("https://bedrock-runtime.cn-north-1.amazonaws.com.cn",
                route("\"type\": \"bedrock\", \"region\": \"cn-north-1\"").baseUrl());
        assertEquals("https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com", route("\"type\": \"bedrock\","
                + " \"region\": \"us-east-1\", \"baseUrl\": \"https://vpce-1.bedrock-runtime.us-east-1.vpce.amazonaws.com/\"").baseUrl());
    }

    @Test
    void misconfigurationsNameTheirField() {
        assertTrue(problems("\"type\": \"bedrock\", \"region\": \"us-east-1\", \"apiKey\": \"env:K\"")
                .get(0).startsWith("routes[0].apiKey: is not used by a route of type \"bedrock\": requests are signed"));
        assertEquals(List.of("routes[0].region: is required"), problems("\"type\": \"bedrock\""));
        assertEquals(List.of("routes[0].region: must be an AWS region name such as us-east-1"),
                problems("\"type\": \"bedrock\", \"region\": \"Frankfurt\""));
        assertEquals(List.of("routes[0].apiKey: is required"), problems("\"type\": \"anthropic\""));
        assertEquals(List.of("routes[0].apiKeyHeader: is not used by a route of type \"anthropic\""),
                problems("\"type\": \"anthropic\", \"apiKey\": \"env:K\", \"apiKeyHeader\": \"authorization\""));
        assertEquals(List.of("routes[0].defaultMaxTokens: must be a whole number of tokens from 1 to 1000000"),
                problems("\"type\": \"anthropic\", \"apiKey\": \"env:K\", \"defaultMaxTokens\": 0"));
        assertEquals(List.of("routes[0].headers[\"anthropic-version\"]: is set by the relay and cannot be overridden"),
                problems("\"type\": \"anthropic\", \"apiKey\": \"env:K\", \"headers\": {\"anthropic-version\": \"2020\"}"));
        assertEquals(List.of("routes[0].headers[\"X-Amz-Date\"]: is set by the relay and cannot be overridden"),
                problems("\"type\": \"bedrock\", \"region\": \"us-east-1\", \"headers\": {\"X-Amz-Date\": \"x\"}"));
        assertEquals(List.of("routes[0].region: is not used by a route of type \"openai\""),
                problems("\"baseUrl\": \"https://a.example\", \"apiKey\": \"env:K\", \"region\": \"us-east-1\""));
        assertEquals(List.of("routes[0].defaultMaxTokens: is not used by a route of type \"bedrock\""),
                problems("\"type\": \"bedrock\", \"region\": \"us-east-1\", \"defaultMaxTokens\": 5"));
    }
}
