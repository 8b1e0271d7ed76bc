package io.llmrelay.relay.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.config.ConfigLoader;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RouterTest {
    private static RelayConfig config(String routes) {
        return ConfigLoader.parse("{\"routes\": [" + routes + "]}", "test");
    }

    private static String route(String name, String models, String extra) {
        return "{\"name\": \"" + name + "\", \"baseUrl\": \"https://" + name + ".example\", \"apiKey\": \"env:K\","
                + " \"models\": [" + models + "]" + extra + "}";
    }

    private static String name(Optional<RouteConfig> route) {
        return route.map(RouteConfig::name).orElse(null);
    }

    private final Router router = new Router(config(String.join(",",
            route("openai", "\"gpt-4o-mini\", \"gpt-4o*\"", ", \"default\": true"),
            route("broad", "\"*-mini\", \"llama*\"", ""),
            route("azure", "\"gpt-4o\", \"azure-gpt-4o\"", ", \"upstreamModel\": \"my-deployment\""),
            route("groq", "\"llama-3.3-70b\"", ""))));

    @Test
    void exactMatchBeatsAnEarlierGlob() {
        assertEquals("azure", name(router.route("gpt-4o")));
        assertEquals("groq", name(router.route("llama-3.3-70b")));
    }

    @Test
    void firstGlobInConfigOrderWins() {
        assertEquals("openai", name(router.route("gpt-4o-2024-08-06")));
        // "gpt-4o-nano-mini" matches both openai's "gpt-4o*" and broad's "*-mini"; openai comes first.
        assertEquals("openai", name(router.route("gpt-4o-nano-mini")));
        assertEquals("broad", name(router.route("o4-mini")));
        assertEquals("broad", name(router.route("llama-3.1-8b")));
        assertEquals("openai", name(router.route("gpt-4o-mini")), "exact");
    }

    @Test
    void unknownOrMissingModelGoesToTheDefault() {
        assertEquals("openai", name(router.route("claude-sonnet")));
        assertEquals("openai", name(router.route(null)));
        assertEquals("openai", name(router.route("")));
    }

    @Test
    void withoutADefaultAnUnknownModelHasNoRoute() {
        Router noDefault = new Router(config(route("a", "\"m1\"", "")));
        assertTrue(noDefault.route("m2").isEmpty());
        assertTrue(noDefault.route(null).isEmpty());
        assertEquals("a", name(noDefault.route("m1")));
    }

    @Test
    void upstreamModelRenamesOrPassesThrough() {
        RouteConfig azure = router.route("azure-gpt-4o").orElseThrow();
        assertEquals("my-deployment", router.upstreamModel(azure, "azure-gpt-4o"));
        RouteConfig openai = router.route("gpt-4o-2024-08-06").orElseThrow();
        assertEquals("gpt-4o-2024-08-06", router.upstreamModel(openai, "gpt-4o-2024-08-06"));
        assertEquals("gpt-4o-mini", router.upstreamModel(openai, null), "first exact model when none requested");

        Router globOnly = new Router(config(route("any", "\"*\"", ", \"default\": true")));
        assertNull(globOnly.upstreamModel(globOnly.route(null).orElseThrow(), null));
        assertEquals("any", name(globOnly.route("anything/at:all")));
    }

    @Test
    void listedModelsAreTheExactNamesInOrderOnce() {
        assertEquals(List.of("gpt-4o-mini", "gpt-4o", "azure-gpt-4o", "llama-3.3-70b"), router.listedModels());
        assertEquals(List.of("relay-demo"), new Router(RelayConfig.demo()).listedModels());
    }

    @Test
    void globsMatchLiterallyApartFromStar() {
        assertTrue(Router.globMatches("*", ""));
        assertTrue(Router.globMatches("gpt-4o*", "gpt-4o"));
        assertTrue(Router.globMatches("a*b*c", "aXXbYYc"));
        assertTrue(Router.globMatches("*/*", "meta-llama/Llama-3"));
        assertFalse(Router.globMatches("a*b*c", "aXXbYY"));
        assertFalse(Router.globMatches("gpt.4*", "gpt-4o"), "'.' is not a regex wildcard");
        assertFalse(Router.globMatches("(a+)+*", "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!"));
        assertTrue(Router.globMatches("**a", "bba"));
        long start = System.nanoTime();
        assertFalse(Router.globMatches("*a*a*a*a*a*a*a*b", "a".repeat(5000)));
        assertTrue(System.nanoTime() - start < 2_000_000_000L, "no exponential backtracking");
    }
}
