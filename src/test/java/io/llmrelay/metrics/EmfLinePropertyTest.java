package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.config.ConfigLoader;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The metrics lines, as a property over many generated request outcomes ({@link OutcomeGenerator}):
 * each is one valid EMF document by the specification's rules ({@link EmfSpec}), carries exactly the
 * metrics the issue lists with their units and the outcome's values (token counts and time to first
 * byte only when known), uses only bounded dimension values, and holds nothing a caller made up.
 * {@code -Dmetrics.seed=N} replays a failure.
 */
class EmfLinePropertyTest {
    private static final long SEED = Long.getLong("metrics.seed", System.nanoTime());
    private static final int CASES = 3000;
    private static final long NOW = 1_760_000_000_123L;
    /** The table of metrics and units. */
    private static final Map<String, String> UNITS = Map.of("Requests", "Count", "TimeToFirstByte", "Milliseconds",
            "Duration", "Milliseconds", "PromptTokens", "Count", "CompletionTokens", "Count", "Errors", "Count",
            "Retries", "Count", "Fallbacks", "Count");
    private static final Set<String> PROPERTIES = Set.of("_aws", "log", "requestId", "Route", "Model", "Caller",
            "Status", "ErrorCode");
    /** A line is a few hundred bytes whatever the caller sent; the longest listed model that can be a value is short. */
    private static final int MAX_LINE_CHARS = 1500;

    static final String CONFIG = """
            {"callers": [{"name": "vapi", "keySha256": "%1$s"}, {"name": "simli", "keySha256": "%4$s"}],
             "routes": [
               {"name": "openai", "baseUrl": "https://api.openai.com/v1", "apiKey": "env:OPENAI_API_KEY",
                "models": ["gpt-4o-mini", "gpt-4o*", "ft:gpt-4o:acme:\\"quoted\\"\\\\path", "%2$s"], "default": true},
               {"name": "claude", "type": "anthropic", "apiKey": "env:ANTHROPIC_API_KEY",
                "models": ["claude-sonnet-4-5", "claude-*", "%3$s"]},
               {"name": "demo", "type": "demo", "models": ["relay-demo"]}]}
            """.formatted("0".repeat(64), OutcomeGenerator.LISTED_LONG, OutcomeGenerator.LISTED_CYRILLIC, "1".repeat(64));

    static DimensionValues configuredDimensions() {
        return DimensionValues.of(ConfigLoader.parse(CONFIG, "test"));
    }

    @Test
    void everyLineFollowsTheSpecificationAndSaysWhatHappened() throws Exception {
        Random random = new Random(SEED);
        OutcomeGenerator outcomes = new OutcomeGenerator(random);
        DimensionValues dimensions = configuredDimensions();
        Map<String, Integer> seen = new HashMap<>();
        for (int i = 0; i < CASES; i++) {
            String namespace = i % 2 == 0 ? "LLMRelay" : "Team A/llm-relay#prod:1";
            EmfWriter writer = new EmfWriter(new MetricsSettings(true, namespace), () -> NOW);
            RequestOutcome outcome = outcomes.next();
            String line = writer.line(outcome, dimensions);
            String replay = " (seed " + SEED + ", case " + i + ": " + describe(outcome) + ")\n" + line;
            assertEquals(List.of(), EmfSpec.violations(line), "EMF rules" + replay);
            assertTrue(line.length() <= MAX_LINE_CHARS, "line of " + line.length() + " chars" + replay);
            JsonNode root = Json.MAPPER.readTree(line);
            // ErrorCode is the request log's error code, kept when code-shaped (checked exactly below)
            String rest = Json.write(((ObjectNode) root.deepCopy()).without("ErrorCode"));
            assertFalse(rest.contains(OutcomeGenerator.MARKER), "made-up text reached the line" + replay);
            assertFalse(rest.contains("SECRET"), "key-like text reached the line" + replay);
            assertEquals(NOW, root.at("/_aws/Timestamp").asLong(), "Timestamp" + replay);
            assertEquals(namespace, root.at("/_aws/CloudWatchMetrics/0/Namespace").asText(), "Namespace" + replay);
            checkDimensions(root, outcome, replay);
            checkMetrics(root, outcome, replay);
            checkProperties(root, outcome, replay);
            count(seen, outcome);
        }
        for (String kind : List.of("success", "upstream error", "relay refusal", "retried and fell back",
                "tokens unknown", "model other", "refused before routing", "caller hung up", "made-up text")) {
            assertTrue(seen.getOrDefault(kind, 0) >= CASES / 50, kind + " generated only " + seen.get(kind)
                    + " times (seed " + SEED + ")");
        }
        assertTrue(outcomes.hostileCount() >= CASES / 2, "made-up strings: " + outcomes.hostileCount());
    }

    @Test
    void eachRequestIsExactlyOneLineAndOffWritesNone() {
        Random random = new Random(SEED);
        OutcomeGenerator generator = new OutcomeGenerator(random);
        DimensionValues dimensions = configuredDimensions();
        EmfWriter on = new EmfWriter(MetricsSettings.defaults(), () -> NOW);
        EmfWriter off = new EmfWriter(MetricsSettings.fromEnvironment(Map.of("RELAY_METRICS", "off"), warning -> { }),
                () -> NOW);
        ByteArrayOutputStream written = new ByteArrayOutputStream();
        ByteArrayOutputStream silent = new ByteArrayOutputStream();
        List<String> expected = new ArrayList<>();
        try (PrintStream out = new PrintStream(written, true, StandardCharsets.UTF_8);
                PrintStream none = new PrintStream(silent, true, StandardCharsets.UTF_8)) {
            for (int i = 0; i < 500; i++) {
                RequestOutcome outcome = generator.next();
                on.write(out, outcome, dimensions);
                off.write(none, outcome, dimensions);
                expected.add(on.line(outcome, dimensions));
            }
        }
        String text = written.toString(StandardCharsets.UTF_8);
        assertTrue(text.endsWith(System.lineSeparator()), "the last line ends");
        assertEquals(expected, List.of(text.split(System.lineSeparator())), "one line per request, in order (seed " + SEED + ")");
        assertEquals(0, silent.size(), "RELAY_METRICS=off writes nothing");
    }

    private static void checkDimensions(JsonNode root, RequestOutcome outcome, String replay) {
        Set<List<String>> sets = new HashSet<>();
        for (JsonNode set : root.at("/_aws/CloudWatchMetrics/0/Dimensions")) {
            List<String> names = new ArrayList<>();
            set.forEach(name -> names.add(name.asText()));
            sets.add(names);
        }
        assertTrue(sets.contains(List.of("Route", "Model")) && sets.contains(List.of("Route", "Model", "Caller")),
                "dimension sets " + sets + replay);
        assertEquals(expectedRoute(outcome.route()), root.get("Route").asText(), "Route" + replay);
        assertEquals(expectedModel(outcome.model()), root.get("Model").asText(), "Model" + replay);
        assertEquals(expectedCaller(outcome.caller()), root.get("Caller").asText(), "Caller" + replay);
    }

    private static void checkMetrics(JsonNode root, RequestOutcome outcome, String replay) {
        Map<String, Number> expected = expectedValues(outcome);
        Map<String, String> units = new HashMap<>();
        for (JsonNode definition : root.at("/_aws/CloudWatchMetrics/0/Metrics")) {
            assertEquals(null, units.put(definition.get("Name").asText(), definition.path("Unit").asText()),
                    "metric named twice" + replay);
        }
        assertEquals(expected.keySet(), units.keySet(), "metrics on the line" + replay);
        for (Map.Entry<String, Number> value : expected.entrySet()) {
            assertEquals(UNITS.get(value.getKey()), units.get(value.getKey()), value.getKey() + " unit" + replay);
            assertEquals(value.getValue().doubleValue(), root.get(value.getKey()).doubleValue(), value.getKey() + replay);
        }
    }

    private static void checkProperties(JsonNode root, RequestOutcome outcome, String replay) {
        root.fieldNames().forEachRemaining(name -> assertTrue(PROPERTIES.contains(name) || UNITS.containsKey(name),
                "member " + name + replay));
        assertEquals("metrics", root.get("log").asText(), replay);
        assertEquals(outcome.status(), root.get("Status").asInt(), "Status" + replay);
        String id = outcome.requestId();
        assertEquals(id != null && id.matches("[0-9a-f-]{36}") ? id : null,
                root.has("requestId") ? root.get("requestId").asText() : null, "requestId" + replay);
        String code = outcome.errorCode();
        boolean failed = code != null || outcome.status() >= 400;
        assertEquals(failed, root.has("ErrorCode"), "ErrorCode present" + replay);
        if (failed) {
            String expected = code == null ? "http_" + outcome.status()
                    : code.matches("[A-Za-z0-9_.:-]{1,64}") ? code : "other";
            assertEquals(expected, root.get("ErrorCode").asText(), "ErrorCode" + replay);
        }
    }

    /** The rules, restated here rather than read from the writer. */
    private static Map<String, Number> expectedValues(RequestOutcome outcome) {
        Map<String, Number> values = new HashMap<>();
        values.put("Requests", 1);
        outcome.timeToFirstByteMs().ifPresent(ms -> putIfMeasure(values, "TimeToFirstByte", ms));
        putIfMeasure(values, "Duration", outcome.durationMs());
        outcome.promptTokens().ifPresent(n -> values.put("PromptTokens", n));
        outcome.completionTokens().ifPresent(n -> values.put("CompletionTokens", n));
        boolean failed = outcome.errorCode() != null ? !outcome.errorCode().equals("caller_disconnected")
                : outcome.status() >= 400;
        values.put("Errors", failed ? 1 : 0);
        putIfMeasure(values, "Retries", outcome.retries());
        putIfMeasure(values, "Fallbacks", outcome.fallbacks());
        return values;
    }

    private static void putIfMeasure(Map<String, Number> values, String name, double value) {
        if (Double.isFinite(value) && value >= 0) {
            values.put(name, value);
        }
    }

    private static String expectedRoute(String route) {
        return route != null && OutcomeGenerator.ROUTES.contains(route) ? route : "none";
    }

    private static String expectedModel(String model) {
        if (model == null || model.isEmpty()) {
            return "none";
        }
        return OutcomeGenerator.LISTED_PUBLISHABLE.contains(model) ? model : "other";
    }

    private static String expectedCaller(String caller) {
        return caller != null && OutcomeGenerator.CALLERS.contains(caller) ? caller : "anonymous";
    }

    private static void count(Map<String, Integer> seen, RequestOutcome outcome) {
        String code = outcome.errorCode();
        boolean hungUp = "caller_disconnected".equals(code);
        mark(seen, "success", code == null && outcome.status() == 200);
        mark(seen, "upstream error", code != null && !hungUp && !OutcomeGenerator.RELAY_CODES.contains(code));
        mark(seen, "relay refusal", code != null && OutcomeGenerator.RELAY_CODES.contains(code));
        mark(seen, "retried and fell back", outcome.retries() > 0 && outcome.fallbacks() > 0);
        mark(seen, "tokens unknown", outcome.promptTokens().isEmpty() || outcome.completionTokens().isEmpty());
        mark(seen, "model other", "other".equals(expectedModel(outcome.model())));
        mark(seen, "refused before routing", outcome.route() == null);
        mark(seen, "caller hung up", hungUp);
        mark(seen, "made-up text", String.valueOf(outcome).contains(OutcomeGenerator.MARKER));
    }

    private static void mark(Map<String, Integer> seen, String kind, boolean happened) {
        if (happened) {
            seen.merge(kind, 1, Integer::sum);
        }
    }

    private static String describe(RequestOutcome outcome) {
        String text = outcome.toString();
        return text.length() <= 400 ? text : text.substring(0, 400) + "...";
    }
}
