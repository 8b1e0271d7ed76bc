package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The bounded values, from a real configuration: names it holds, else a fixed word. */
class DimensionValuesTest {
    private final DimensionValues values = EmfLinePropertyTest.configuredDimensions();

    @Test
    void routesAreConfiguredNamesOrNone() {
        assertEquals("openai", values.route("openai"));
        assertEquals("none", values.route(null));
        assertEquals("none", values.route("not-a-route"));
    }

    @Test
    void modelsAreThemselvesOnlyWhenARouteListsThemExactly() {
        assertEquals("gpt-4o-mini", values.model("gpt-4o-mini"));
        assertEquals("relay-demo", values.model("relay-demo"));
        assertEquals("ft:gpt-4o:acme:\"quoted\"\\path", values.model("ft:gpt-4o:acme:\"quoted\"\\path"));
        assertEquals("other", values.model("gpt-4o-2024-08-06"), "served through the glob gpt-4o*");
        assertEquals("other", values.model("gpt-4o*"), "a glob is not a model name");
        assertEquals("other", values.model("anything"), "served by the default route");
        assertEquals("other", values.model("GPT-4O-MINI"), "names are exact");
        assertEquals("none", values.model(null));
        assertEquals("none", values.model(""));
    }

    @Test
    void listedNamesCloudWatchWouldRefuseAreOther() {
        assertEquals("other", values.model(OutcomeGenerator.LISTED_CYRILLIC), "not ASCII");
        assertEquals("other", values.model(OutcomeGenerator.LISTED_LONG), "over 1024 characters");
    }

    @Test
    void callersAreConfiguredNamesOrAnonymous() {
        assertEquals("vapi", values.caller("vapi"));
        assertEquals("anonymous", values.caller(null));
        assertEquals("anonymous", values.caller("someone"));
    }
}
