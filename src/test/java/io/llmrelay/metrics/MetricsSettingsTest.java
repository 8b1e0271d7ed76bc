package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** RELAY_METRICS and RELAY_METRICS_NAMESPACE: what is accepted, and that a bad value is reported once and never fatal. */
class MetricsSettingsTest {
    private final List<String> warnings = new ArrayList<>();

    private MetricsSettings read(String metrics, String namespace) {
        Map<String, String> env = new HashMap<>();
        if (metrics != null) {
            env.put("RELAY_METRICS", metrics);
        }
        if (namespace != null) {
            env.put("RELAY_METRICS_NAMESPACE", namespace);
        }
        return MetricsSettings.fromEnvironment(env, warnings::add);
    }

    @Test
    void unsetMeansOnUnderLLMRelay() {
        assertEquals(new MetricsSettings(true, "LLMRelay"), read(null, null));
        assertEquals(List.of(), warnings);
    }

    @ParameterizedTest
    @ValueSource(strings = {"off", "OFF", " Off ", "false", "no", "0"})
    void offWordsTurnMetricsOff(String value) {
        assertFalse(read(value, null).enabled());
        assertEquals(List.of(), warnings);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "on", "ON", "true", "yes", "1"})
    void onWordsLeaveThemOnQuietly(String value) {
        assertTrue(read(value, null).enabled());
        assertEquals(List.of(), warnings);
    }

    @ParameterizedTest
    @ValueSource(strings = {"disabled", "of", "nope\n"})
    void anyOtherWordIsReportedAndReadAsOn(String value) {
        assertTrue(read(value, null).enabled());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("RELAY_METRICS must be on or off"), warnings.get(0));
        assertFalse(warnings.get(0).contains("\n"), "the warning is one line");
    }

    @ParameterizedTest
    @ValueSource(strings = {"LLMRelay", "Team A/llm-relay#prod:1", "a", "x.y_z-1"})
    void cloudWatchNamespacesAreUsed(String namespace) {
        assertEquals(namespace, read(null, namespace).namespace());
        assertEquals(List.of(), warnings);
    }

    @ParameterizedTest
    @ValueSource(strings = {" ", ":leading-colon", "AWS/Lambda", "caf\u00e9", "quote\"d", "new\nline", "tab\there",
            "star*", "semi;colon"})
    void otherNamespacesAreReportedOnceAndTheDefaultUsed(String namespace) {
        assertEquals("LLMRelay", read(null, namespace).namespace());
        assertEquals(1, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("RELAY_METRICS_NAMESPACE"), warnings.get(0));
        assertTrue(warnings.get(0).chars().allMatch(c -> c >= 0x20 && c < 0x7f), "the warning quotes printable ASCII only");
    }

    @Test
    void namespacesOver255CharactersAreRefused() {
        assertEquals("n".repeat(255), read(null, "n".repeat(255)).namespace());
        assertEquals("LLMRelay", read(null, "n".repeat(256)).namespace());
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).length() < 400, "a long value is cut short in the warning");
    }

    /** The rule, as a property: exactly the strings CloudWatch's concepts page allows (less AWS/ and a leading ':'). */
    @Test
    void theNamespaceRuleIsCloudWatchsOverRandomStrings() {
        long seed = Long.getLong("metrics.seed", System.nanoTime());
        Random random = new Random(seed);
        String alphabet = "aZ09._/#: -\"*\u00e9\n\t;AWS";
        for (int i = 0; i < 5000; i++) {
            StringBuilder text = new StringBuilder();
            for (int n = random.nextInt(8); n >= 0; n--) {
                text.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String candidate = text.toString();
            boolean expected = EmfSpec.validNamespace(candidate) && !candidate.startsWith("AWS/");
            assertEquals(expected, MetricsSettings.validNamespace(candidate), "'" + candidate + "' (seed " + seed + ")");
        }
    }
}
