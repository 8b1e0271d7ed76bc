package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.keys.KeyReference;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    static final String HASH = "a".repeat(64);
    static final String HASH2 = "b".repeat(64);

    static final String MINIMAL = """
            {"callers": [{"name": "vapi", "keySha256": "%s"}],
             "routes":  [{"name": "openai", "baseUrl": "https://api.openai.com/v1",
                          "apiKey": "env:OPENAI_API_KEY", "models": ["gpt-4o-mini", "gpt-4o*"],
                          "default": true}]}
            """.formatted(HASH);

    /** A config with one route whose fields are given by {@code routeFields} (JSON members). */
    static String withRoute(String routeFields) {
        return "{\"routes\": [{" + routeFields + "}]}";
    }

    static ConfigException invalid(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(json, "test"));
    }

    @Test
    void minimalConfigParsesWithDefaults() {
        RelayConfig config = ConfigLoader.parse(MINIMAL, "test");

        assertEquals(List.of(new CallerConfig("vapi", HASH)), config.callers());
        RouteConfig route = config.routes().get(0);
        assertEquals("openai", route.name());
        assertEquals(RouteType.OPENAI, route.type());
        assertEquals("https://api.openai.com/v1", route.baseUrl());
        assertEquals(KeyReference.env("OPENAI_API_KEY"), route.apiKey());
        assertEquals(List.of("gpt-4o-mini", "gpt-4o*"), route.models());
        assertTrue(route.isDefault());
        assertTrue(route.bearerAuth());
        assertNull(route.upstreamModel());
        assertEquals(Map.of(), route.headers());
        assertEquals(List.of("call", "phoneNumber", "customer", "metadata", "user_id", "elevenlabs_extra_body"),
                route.dropFields(), "Vapi's and ElevenLabs' extra fields (issue 15)");
        assertEquals(30_000, route.firstByteTimeoutMs());
        assertEquals(60_000, route.idleTimeoutMs());
        assertEquals(300, config.keyCacheTtlSeconds());
        assertEquals(1_048_576, config.maxRequestBytes());
        assertEquals(route, config.defaultRoute().orElseThrow());
    }

    @Test
    void extensionsAreRead() {
        RelayConfig config = ConfigLoader.parse("""
                {"keyCacheTtlSeconds": 60, "maxRequestBytes": 2048,
                 "routes": [{"name": "azure", "baseUrl": "https://x.openai.azure.com/openai/v1/",
                             "apiKey": "secretsmanager:arn:aws:secretsmanager:eu-west-1:1:secret:azure",
                             "apiKeyHeader": "Api-Key", "models": ["azure-gpt-4o"],
                             "upstreamModel": "my-deployment", "headers": {"X-Title": "relay"},
                             "dropFields": [], "firstByteTimeoutMs": 5000, "idleTimeoutMs": 7000}]}
                """, "test");

        RouteConfig route = config.routes().get(0);
        assertEquals("https://x.openai.azure.com/openai/v1", route.baseUrl(), "trailing slash removed");
        assertEquals(KeyReference.Scheme.SECRETS_MANAGER, route.apiKey().scheme());
        assertEquals("api-key", route.apiKeyHeader());
        assertFalse(route.bearerAuth());
        assertEquals("my-deployment", route.upstreamModel());
        assertEquals(Map.of("X-Title", "relay"), route.headers());
        assertEquals(List.of(), route.dropFields());
        assertEquals(5000, route.firstByteTimeoutMs());
        assertEquals(7000, route.idleTimeoutMs());
        assertEquals(60, config.keyCacheTtlSeconds());
        assertEquals(2048, config.maxRequestBytes());
        assertEquals(List.of(), config.callers());
    }

    @Test
    void badBaseUrlIsNamedByItsPath() {
        ConfigException e = invalid("""
                {"routes": [{"name": "a", "baseUrl": "https://a.example/v1", "apiKey": "env:A", "default": true},
                            {"name": "b", "baseUrl": "ftp://b.example", "apiKey": "env:B", "models": ["m"]}]}
                """);
        assertTrue(e.getMessage().contains("routes[1].baseUrl: must be an absolute http(s) URL"), e.getMessage());
        assertEquals(1, e.problems().size());

        assertTrue(invalid(withRoute("\"name\": \"a\", \"baseUrl\": \"/v1\", \"apiKey\": \"env:A\", \"default\": true"))
                .getMessage().contains("routes[0].baseUrl: must be an absolute http(s) URL"));
    }

    @Test
    void credentialsInBaseUrlAreRefusedWithoutBeingEchoed() {
        ConfigException e = invalid(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://user:hunter2@a.example/v1\", \"apiKey\": \"env:A\", \"default\": true"));
        assertTrue(e.getMessage().contains("routes[0].baseUrl: must not contain credentials"), e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }

    @Test
    void literalApiKeyIsRefusedWithoutBeingEchoed() {
        String secret = "sk-proj-VERYSECRET1234567890";
        ConfigException e = invalid(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"" + secret + "\", \"default\": true"));
        assertTrue(e.getMessage().contains("routes[0].apiKey: must be a key reference"), e.getMessage());
        assertFalse(e.getMessage().contains("VERYSECRET"), e.getMessage());

        ConfigException envLike = invalid(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"env:" + secret + "\", \"default\": true"));
        assertTrue(envLike.getMessage().contains("routes[0].apiKey: env:"), envLike.getMessage());
        assertFalse(envLike.getMessage().contains("VERYSECRET"), envLike.getMessage());
    }

    @Test
    void badCallerHashIsExplainedWithoutEchoingIt() {
        String key = "rk-THISISTHEREALKEYxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx";
        ConfigException e = invalid(MINIMAL.replace(HASH, key));
        assertTrue(e.getMessage().contains(
                "callers[0].keySha256: must be 64 lowercase hex characters (the SHA-256 of the key, see 'caller-key new')"),
                e.getMessage());
        assertTrue(e.getMessage().contains("looks like a key itself"), e.getMessage());
        assertFalse(e.getMessage().contains("THISISTHEREALKEY"), e.getMessage());

        assertTrue(invalid(MINIMAL.replace(HASH, HASH.toUpperCase())).getMessage()
                .contains("callers[0].keySha256: must be 64 lowercase hex"));
    }

    @Test
    void duplicateNamesAreRefused() {
        ConfigException routes = invalid("""
                {"routes": [{"name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "models": ["m1"]},
                            {"name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "models": ["m2"]}]}
                """);
        assertTrue(routes.getMessage().contains("routes[1].name: duplicate route name 'a'"), routes.getMessage());

        ConfigException callers = invalid(MINIMAL.replace("[{\"name\": \"vapi\", \"keySha256\": \"" + HASH + "\"}]",
                "[{\"name\": \"vapi\", \"keySha256\": \"" + HASH + "\"}, {\"name\": \"vapi\", \"keySha256\": \"" + HASH2 + "\"}]"));
        assertTrue(callers.getMessage().contains("callers[1].name: duplicate caller name 'vapi'"), callers.getMessage());
    }

    @Test
    void twoCallersWithOneKeyAreRefused() {
        ConfigException e = invalid(MINIMAL.replace("[{\"name\": \"vapi\", \"keySha256\": \"" + HASH + "\"}]",
                "[{\"name\": \"vapi\", \"keySha256\": \"" + HASH + "\"}, {\"name\": \"simli\", \"keySha256\": \"" + HASH + "\"}]"));
        assertTrue(e.getMessage().contains("callers[1].keySha256: same key as callers[0]"), e.getMessage());
    }

    @Test
    void onlyOneDefaultRoute() {
        ConfigException e = invalid("""
                {"routes": [{"name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true},
                            {"name": "b", "baseUrl": "https://b.example", "apiKey": "env:B", "default": true}]}
                """);
        assertTrue(e.getMessage().contains("routes[1].default: only one route may be the default"), e.getMessage());
    }

    @Test
    void routeWithoutModelsMustBeTheDefault() {
        ConfigException missing = invalid(withRoute("\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"env:A\""));
        assertTrue(missing.getMessage().contains("routes[0].models: is required unless the route has \"default\": true"),
                missing.getMessage());
        ConfigException empty = invalid(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"env:A\", \"models\": []"));
        assertTrue(empty.getMessage().contains("routes[0].models: must name at least one model"), empty.getMessage());
        // As the default, no models is fine: it serves everything.
        assertTrue(ConfigLoader.parse(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"env:A\", \"default\": true"), "t")
                .routes().get(0).models().isEmpty());
    }

    @Test
    void aModelListedTwiceIsRefused() {
        ConfigException e = invalid("""
                {"routes": [{"name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "models": ["gpt-4o"]},
                            {"name": "b", "baseUrl": "https://b.example", "apiKey": "env:B", "models": ["x", "gpt-4o"]}]}
                """);
        assertTrue(e.getMessage().contains("routes[1].models[1]: 'gpt-4o' is already listed by route 'a'"), e.getMessage());
    }

    @Test
    void unknownFieldsAreNamed() {
        ConfigException top = invalid(MINIMAL.replace("\"callers\"", "\"caller\""));
        assertTrue(top.getMessage().contains("caller: unknown field"), top.getMessage());

        ConfigException route = invalid(withRoute(
                "\"name\": \"a\", \"baseURL\": \"https://a.example\", \"apiKey\": \"env:A\", \"default\": true"));
        assertTrue(route.getMessage().contains("routes[0].baseURL: unknown field (did you mean 'baseUrl'?)"),
                route.getMessage());
        assertTrue(route.getMessage().contains("routes[0].baseUrl: is required"), route.getMessage());

        ConfigException caller = invalid(MINIMAL.replace("\"keySha256\"", "\"keySha256\": \"" + HASH + "\", \"role\""));
        assertTrue(caller.getMessage().contains("callers[0].role: unknown field"), caller.getMessage());
    }

    @Test
    void commentsAreIgnored() {
        RelayConfig config = ConfigLoader.parse(MINIMAL.replace("{\"callers\"", "{\"$comment\": \"hi\", \"callers\""), "t");
        assertEquals(1, config.routes().size());
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = invalid("""
                {"callers": [{"name": "bad name", "keySha256": "x"}],
                 "routes": [{"name": "a", "type": "gemini", "baseUrl": "nope", "apiKey": "env:A", "models": ["m"],
                             "firstByteTimeoutMs": 0, "idleTimeoutMs": "60s"}],
                 "maxRequestBytes": 99999999}
                """);
        List<String> problems = e.problems();
        assertTrue(problems.contains("callers[0].name: " + Names.RULE), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("callers[0].keySha256: ")), problems.toString());
        assertTrue(problems.contains("routes[0].type: must be \"openai\", \"anthropic\", \"bedrock\" or \"demo\""), problems.toString());
        assertTrue(problems.contains("routes[0].baseUrl: must be an absolute http(s) URL"), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("routes[0].firstByteTimeoutMs: must be a whole number")));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("routes[0].idleTimeoutMs: must be a whole number")));
        assertTrue(problems.stream().anyMatch(p -> p.startsWith("maxRequestBytes: must be a whole number")));
        assertTrue(e.getMessage().startsWith("invalid relay config (test): 7 problems"), e.getMessage());
    }

    @Test
    void headersMayNotCarryTheKeyOrOverrideTheRelay() {
        ConfigException e = invalid(withRoute("""
                "name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true,
                "headers": {"Authorization": "Bearer sk-secret-in-header", "Content-Length": "1", "bad name": "x", "ok": 3}
                """));
        assertTrue(e.getMessage().contains("routes[0].headers[\"Authorization\"]: is set by the relay from apiKey"),
                e.getMessage());
        assertTrue(e.getMessage().contains("routes[0].headers[\"Content-Length\"]: is set by the relay"), e.getMessage());
        assertTrue(e.getMessage().contains("is not a valid HTTP header name"), e.getMessage());
        assertTrue(e.getMessage().contains("routes[0].headers[\"ok\"]: must be a string"), e.getMessage());
        assertFalse(e.getMessage().contains("sk-secret-in-header"), e.getMessage());

        ConfigException apiKeyHeader = invalid(withRoute("""
                "name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true,
                "apiKeyHeader": "api-key", "headers": {"API-KEY": "literal"}
                """));
        assertTrue(apiKeyHeader.getMessage().contains("routes[0].headers[\"API-KEY\"]: is set by the relay from apiKey"),
                apiKeyHeader.getMessage());
        assertFalse(apiKeyHeader.getMessage().contains("literal"));
    }

    @Test
    void headersTheHttpClientRefusesAreNamedByTheirFieldWithoutTheirValue() {
        ConfigException e = invalid(withRoute("""
                "name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true,
                "headers": {"Expect": "100-continue", "Upgrade": "h2c", "Host": "evil.example",
                            "X-Zwsp": "tag\\u200bSECRET1", "X-Bom": "\\ufeffSECRET2", "X-Bell": "a\\u0007SECRET3",
                            "X-Del": "SECRET4\\u007f", "X-Check": "ok \\u2713 SECRET5", "X-Break": "SECRET6\\r\\nX-Evil: 1"}
                """));
        String message = e.getMessage();
        assertTrue(message.contains("routes[0].headers[\"Expect\"]: is a header the relay's HTTP client"), message);
        assertTrue(message.contains("routes[0].headers[\"Upgrade\"]: is a header the relay's HTTP client"), message);
        assertTrue(message.contains("routes[0].headers[\"Host\"]: is set by the relay"), message);
        assertTrue(message.contains("routes[0].headers[\"X-Zwsp\"]: must be a valid HTTP header value: it contains"
                + " a character not allowed in an HTTP header value (U+200B)"), message);
        assertTrue(message.contains("routes[0].headers[\"X-Bom\"]: must be a valid HTTP header value: it contains"
                + " a character not allowed in an HTTP header value (U+FEFF)"), message);
        assertTrue(message.contains("(U+0007)") && message.contains("(U+007F)") && message.contains("(U+2713)")
                && message.contains("(U+000D)"), message);
        assertFalse(message.contains("SECRET") || message.contains("evil.example") || message.contains("100-continue"),
                "no value is quoted: " + message);
        assertEquals(9, e.problems().size(), e.problems().toString());
    }

    @Test
    void aHeaderValueIsAcceptedExactlyWhenTheJdkWouldSendIt() {
        java.util.Random random = new java.util.Random(99);
        String alphabet = "abcXYZ019 \t-_/+=:;,\"\u0000\u0009\u001f\u007f\u0080\u00e9\u00ff\u0100\u200b\ufeff";
        for (int i = 0; i < 500; i++) {
            StringBuilder value = new StringBuilder();
            for (int n = random.nextInt(6); n >= 0; n--) {
                value.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String json = withRoute("\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"default\": true,"
                    + " \"apiKey\": \"env:A\", \"headers\": {\"X-Value\": " + io.llmrelay.json.Json.write(value.toString()) + "}");
            boolean jdk;
            try {
                java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://a.example")).header("X-Value", value.toString());
                jdk = true;
            } catch (IllegalArgumentException refused) {
                jdk = false;
            }
            if (jdk) {
                assertEquals(Map.of("X-Value", value.toString()), ConfigLoader.parse(json, "t").routes().get(0).headers());
            } else {
                assertTrue(invalid(json).getMessage().contains("routes[0].headers[\"X-Value\"]: must be a valid HTTP header value"));
            }
        }
    }

    @Test
    void anApiKeyHeaderTheRelayOrTheHttpClientSetsIsRefused() {
        for (String name : List.of("Expect", "Host", "Content-Type", "content-length", "Upgrade", "Connection")) {
            ConfigException e = invalid(withRoute("""
                    "name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true, "apiKeyHeader": "%s"
                    """.formatted(name)));
            assertTrue(e.getMessage().contains("routes[0].apiKeyHeader: must be a header the relay does not set itself"),
                    e.getMessage());
        }
        assertEquals("authorization", ConfigLoader.parse(withRoute("""
                "name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true, "apiKeyHeader": "Authorization"
                """), "t").routes().get(0).apiKeyHeader());
    }

    @Test
    void routeToStringLeavesOutHeaderValues() {
        RouteConfig route = ConfigLoader.parse(withRoute("""
                "name": "a", "baseUrl": "https://a.example", "apiKey": "env:A", "default": true,
                "headers": {"x-extra": "value-that-might-be-secret"}
                """), "t").routes().get(0);
        assertTrue(route.toString().contains("x-extra"));
        assertFalse(route.toString().contains("value-that-might-be-secret"));
    }

    @Test
    void essentialRequestFieldsCannotBeDropped() {
        ConfigException e = invalid(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"env:A\", \"default\": true,"
                        + " \"dropFields\": [\"metadata\", \"messages\"]"));
        assertTrue(e.getMessage().contains("routes[0].dropFields[1]: 'messages' cannot be dropped"), e.getMessage());
    }

    @Test
    void demoRouteNeedsNoUpstream() {
        RelayConfig config = ConfigLoader.parse(withRoute(
                "\"name\": \"demo\", \"type\": \"demo\", \"models\": [\"relay-demo\"], \"default\": true"), "t");
        assertEquals(RouteType.DEMO, config.routes().get(0).type());
        assertNull(config.routes().get(0).baseUrl());
        assertNull(config.routes().get(0).apiKey());

        ConfigException e = invalid(withRoute(
                "\"name\": \"demo\", \"type\": \"demo\", \"baseUrl\": \"https://a.example\", \"default\": true"));
        assertTrue(e.getMessage().contains("routes[0].baseUrl: is not used by a route of type \"demo\""), e.getMessage());
    }

    @Test
    void demoConfig() {
        RelayConfig demo = ConfigLoader.demo();
        assertEquals(List.of(), demo.callers());
        assertEquals(1, demo.routes().size());
        RouteConfig route = demo.routes().get(0);
        assertEquals("demo", route.name());
        assertEquals(RouteType.DEMO, route.type());
        assertEquals(List.of("relay-demo"), route.models());
        assertTrue(route.isDefault());
    }

    @Test
    void routesAreRequired() {
        assertTrue(invalid("{}").getMessage().contains("routes: is required"));
        assertTrue(invalid("{\"routes\": []}").getMessage().contains("routes: must list at least one route"));
        assertTrue(invalid("{\"routes\": {}}").getMessage().contains("routes: must be an array"));
    }

    @Test
    void brokenJsonIsReportedByPositionOnly() {
        ConfigException e = invalid("{\"routes\": [{\"apiKey\": sk-unquoted-secret}]}");
        assertTrue(e.getMessage().contains("is not valid JSON at line 1"), e.getMessage());
        assertFalse(e.getMessage().contains("unquoted-secret"), e.getMessage());

        assertTrue(invalid("").getMessage().contains("is empty"));
        assertTrue(invalid("[1]").getMessage().contains("must be a JSON object"));
        assertTrue(invalid(MINIMAL + " {}").getMessage().contains("is not valid JSON"));
    }

    @Test
    void duplicateJsonFieldsAreRefused() {
        ConfigException e = invalid(withRoute(
                "\"name\": \"a\", \"baseUrl\": \"https://a.example\", \"apiKey\": \"env:A\", \"apiKey\": \"env:B\", \"default\": true"));
        assertTrue(e.getMessage().contains("field 'apiKey' appears twice"), e.getMessage());
    }
}
