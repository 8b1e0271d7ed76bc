package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * template.yaml's dashboard and alarms read metrics the relay writes: every (namespace, metric,
 * dimension names) they use is one a metrics line publishes, both sides read from what they are
 * (the template's YAML and dashboard JSON; lines the writer emits), not from a list in this test.
 */
class TemplateMetricsTest {
    private static Map<String, Object> template;
    private static TemplateMetricReferences read;
    /** "Metric [Dim, Dim]" for each metric and dimension set a line publishes. */
    private static final Set<String> EMITTED = new TreeSet<>();
    private static final Set<String> MEMBERS = new TreeSet<>();
    private static String codeNamespace;

    @BeforeAll
    static void readBothSides() throws Exception {
        template = CloudFormationYaml.read(Path.of("template.yaml"));
        read = new TemplateMetricReferences(template);
        MetricsSettings defaults = MetricsSettings.fromEnvironment(Map.of(), warning -> fail(warning));
        codeNamespace = defaults.namespace();
        EmfWriter writer = new EmfWriter(defaults);
        DimensionValues dimensions = new DimensionValues(Set.of("r"), Set.of("c"), Set.of("m")::contains);
        // a failed request with every optional value known, so every metric and property is on its line
        RequestOutcome everything = new RequestOutcome("6a1f0c2e-61f4-4c1e-9d9e-0a4f1b2c3d4e", "r", "m", "c", 502,
                "upstream_unavailable", OptionalDouble.of(1), 2, OptionalLong.of(3), OptionalLong.of(4), 1, 1);
        JsonNode line = Json.MAPPER.readTree(writer.line(everything, dimensions));
        line.fieldNames().forEachRemaining(MEMBERS::add);
        for (JsonNode directive : line.at("/_aws/CloudWatchMetrics")) {
            assertEquals(codeNamespace, directive.get("Namespace").asText());
            for (JsonNode metric : directive.get("Metrics")) {
                for (JsonNode set : directive.get("Dimensions")) {
                    List<String> names = new ArrayList<>();
                    set.forEach(name -> names.add(name.asText()));
                    EMITTED.add(key(metric.get("Name").asText(), names));
                }
            }
        }
    }

    private static String key(String metric, Iterable<String> dimensions) {
        return metric + " " + new TreeSet<String>(toList(dimensions));
    }

    private static List<String> toList(Iterable<String> items) {
        List<String> list = new ArrayList<>();
        items.forEach(list::add);
        return list;
    }

    @Test
    void everyRelayMetricTheDashboardAndAlarmsReadIsOneTheRelayWrites() {
        assertTrue(read.references.size() >= 10, "references found: " + read.references);
        for (TemplateMetricReferences.Reference reference : read.references) {
            switch (reference.namespace()) {
                case TemplateMetricReferences.NAMESPACE -> assertTrue(
                        EMITTED.contains(key(reference.metric(), reference.dimensions().keySet())),
                        reference + " is not a metric a line publishes; they are " + EMITTED);
                case "AWS/Lambda" -> assertEquals(Map.of("FunctionName", "ref:RelayFunction"), reference.dimensions(),
                        reference + ": Lambda metrics of this stack's function");
                default -> fail(reference + ": namespace neither the MetricsNamespace parameter nor AWS/Lambda");
            }
        }
    }

    @Test
    void theDashboardShowsEveryMetricALineCarriesAndLambdasThrottlesAndConcurrency() {
        Set<String> shown = new TreeSet<>();
        Set<String> lambda = new TreeSet<>();
        for (TemplateMetricReferences.Reference reference : read.references) {
            if (reference.where().startsWith("RelayDashboard")) {
                (reference.namespace().equals("AWS/Lambda") ? lambda : shown).add(reference.metric());
            }
        }
        Set<String> emittedMetrics = new TreeSet<>();
        EMITTED.forEach(entry -> emittedMetrics.add(entry.substring(0, entry.indexOf(' '))));
        assertEquals(emittedMetrics, shown);
        assertEquals(Set.of("Throttles", "ConcurrentExecutions"), lambda);
    }

    @Test
    void theAlarmsWatchErrorRateTimeToFirstByteAndThrottles() {
        Set<String> watched = new TreeSet<>();
        read.references.stream().filter(r -> r.where().contains("Alarm")).forEach(r -> watched.add(r.metric()));
        assertEquals(Set.of("Errors", "Requests", "TimeToFirstByte", "Throttles"), watched);
    }

    @Test
    void errorsByCodeQueriesTheFunctionsLogForMembersTheLinesHave() {
        assertEquals(List.of("ref:RelayLogGroup"), read.querySources);
        assertFalse(read.queryMembers.isEmpty());
        assertTrue(MEMBERS.containsAll(read.queryMembers), read.queryMembers + " vs a line's members " + MEMBERS);
    }

    @Test
    @SuppressWarnings("unchecked")
    void theFunctionAndTheDashboardShareTheNamespaceAndSwitchParameters() {
        Map<String, Object> parameters = (Map<String, Object>) template.get("Parameters");
        Map<String, Object> namespace = (Map<String, Object>) parameters.get("MetricsNamespace");
        assertEquals(codeNamespace, namespace.get("Default"), "MetricsNamespace's default is the relay's");
        Map<String, Object> function = (Map<String, Object>) ((Map<String, Object>) template.get("Resources")).get("RelayFunction");
        Map<String, Object> properties = (Map<String, Object>) function.get("Properties");
        Map<String, Object> variables = (Map<String, Object>) ((Map<String, Object>) properties.get("Environment")).get("Variables");
        assertEquals(Map.of("Ref", "MetricsNamespace"), variables.get(MetricsSettings.NAMESPACE_ENV));
        assertEquals(Map.of("Ref", "Metrics"), variables.get(MetricsSettings.SWITCH_ENV));
        Map<Boolean, Integer> switches = new HashMap<>();
        for (Object value : (List<Object>) ((Map<String, Object>) parameters.get("Metrics")).get("AllowedValues")) {
            boolean on = MetricsSettings.fromEnvironment(Map.of(MetricsSettings.SWITCH_ENV, String.valueOf(value)),
                    warning -> fail("the template offers " + value + ": " + warning)).enabled();
            switches.merge(on, 1, Integer::sum);
        }
        assertEquals(Map.of(true, 1, false, 1), switches, "Metrics offers one value for on and one for off");
        assertEquals(Map.of("Ref", "Tracing"), properties.get("Tracing"));
        assertEquals(List.of("PassThrough", "Active"), ((Map<String, Object>) parameters.get("Tracing")).get("AllowedValues"));
    }

    @Test
    @SuppressWarnings("unchecked")
    void alarmsHaveParameterThresholdsAndNotifyOnlyAGivenTopic() {
        Object topicOrNothing = Map.of("Fn::If", List.of("HasAlarmTopic", List.of(Map.of("Ref", "AlarmTopicArn")),
                Map.of("Ref", "AWS::NoValue")));
        int alarms = 0;
        for (Object resource : ((Map<String, Object>) template.get("Resources")).values()) {
            Map<String, Object> definition = (Map<String, Object>) resource;
            if (!"AWS::CloudWatch::Alarm".equals(definition.get("Type"))) {
                continue;
            }
            alarms++;
            Map<String, Object> properties = (Map<String, Object>) definition.get("Properties");
            assertEquals(topicOrNothing, properties.get("AlarmActions"));
            assertEquals(topicOrNothing, properties.get("OKActions"));
            Object threshold = ((Map<String, Object>) properties.get("Threshold")).get("Ref");
            assertTrue(((Map<String, Object>) template.get("Parameters")).containsKey(threshold), "threshold " + threshold);
        }
        assertEquals(3, alarms);
    }
}
