package io.llmrelay.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The reliability settings: {@code deadlineMarginMs} (top level), {@code retries}, {@code retryBudgetMs}, {@code fallback}. */
class ReliabilityConfigTest {

    private static String routes(String... routes) {
        return "{\"routes\": [" + String.join(", ", routes) + "]}";
    }

    private static String route(String name, String extra) {
        return "{\"name\": \"" + name + "\", \"baseUrl\": \"https://" + name + ".example.com/v1\", \"apiKey\": \"env:K\","
                + " \"models\": [\"" + name + "-model\"]" + (extra == null ? "" : ", " + extra) + "}";
    }

    private static String problems(String json) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(json, "test")).getMessage();
    }

    @Test
    void defaultsAreTwoRetriesAFiveSecondBudgetNoFallbackAndATwoSecondDeadlineMargin() {
        RelayConfig config = ConfigLoader.parse(routes(route("a", null)), "test");

        RouteConfig route = config.routes().get(0);
        assertEquals(2, route.retries());
        assertEquals(5000, route.retryBudgetMs());
        assertEquals(List.of(), route.fallback());
        assertEquals(2000, config.deadlineMarginMs());
    }

    @Test
    void theSettingsAreRead() {
        RelayConfig config = ConfigLoader.parse("{\"deadlineMarginMs\": 500, \"routes\": ["
                + route("a", "\"retries\": 0, \"retryBudgetMs\": 1500, \"fallback\": [\"c\", \"b\"]") + ", "
                + route("b", null) + ", " + route("c", "\"fallback\": [\"a\"]") + "]}", "test");

        RouteConfig a = config.route("a").orElseThrow();
        assertEquals(0, a.retries());
        assertEquals(1500, a.retryBudgetMs());
        assertEquals(List.of("c", "b"), a.fallback(), "in the order given");
        assertEquals(500, config.deadlineMarginMs());
        // a -> c and c -> a: fallbacks are not followed transitively, so routes may back each other up.
        assertEquals(List.of("a"), config.route("c").orElseThrow().fallback());
    }

    @Test
    void aFallbackMustNameAnotherExistingRouteOnce() {
        String message = problems(routes(route("a", "\"fallback\": [\"a\", \"b\", \"nope\", \"b\"]"), route("b", null)));

        assertTrue(message.contains("routes[0].fallback[0]: a route cannot be its own fallback"), message);
        assertTrue(message.contains("routes[0].fallback[3]: 'b' is listed twice"), message);
        // The duplicate and the self-reference make the route invalid, so only these two are reported for it.
        String unknown = problems(routes(route("a", null), route("b", "\"fallback\": [\"nope\"]")));
        assertTrue(unknown.contains("routes[1].fallback[0]: no route is named 'nope'"), unknown);
    }

    @Test
    void outOfRangeValuesAreRefusedNamingTheField() {
        String message = problems("{\"deadlineMarginMs\": -1, \"routes\": ["
                + route("a", "\"retries\": 11, \"retryBudgetMs\": \"5s\", \"fallback\": \"b\"") + "]}");

        assertTrue(message.contains("deadlineMarginMs: must be a whole number of milliseconds from 0 to 900000"), message);
        assertTrue(message.contains("routes[0].retries: must be a whole number of retries from 0 to 10"), message);
        assertTrue(message.contains("routes[0].retryBudgetMs: must be a whole number"), message);
        assertTrue(message.contains("routes[0].fallback: must be an array"), message);
    }

    @Test
    void theDemoRouteIsNeverRetried() {
        assertEquals(0, RelayConfig.demo().routes().get(0).retries());
        RelayConfig config = ConfigLoader.parse("{\"routes\": [{\"name\": \"demo\", \"type\": \"demo\", \"default\": true}]}", "test");
        assertEquals(0, config.routes().get(0).retries());
    }
}
