package io.llmrelay.metrics;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Every metric template.yaml's dashboard and alarms read, found by reading them as CloudWatch
 * does: the dashboard body (after {@code Fn::Sub}) as JSON, its metric arrays
 * ({@code [namespace, name, dim, value, ..., {options}]}), {@code SEARCH('{ns,dims} MetricName="x"')}
 * and Metrics Insights {@code SELECT F(x) FROM SCHEMA(ns, dims)} expressions, its Logs Insights
 * queries, and each alarm's metric or metric-math metrics. {@code ${MetricsNamespace}} becomes
 * {@link #NAMESPACE}, so a namespace written out literally shows up as a different one.
 */
final class TemplateMetricReferences {
    static final String NAMESPACE = "MetricsNamespace-parameter";

    /** A metric read at {@code where}: its namespace, name, and dimensions (name to value, the value as the template gives it). */
    record Reference(String where, String namespace, String metric, Map<String, String> dimensions) {}

    private static final Pattern SEARCH = Pattern.compile("SEARCH\\(\\s*'\\{([^}]*)}\\s+MetricName=\"([^\"]+)\"'.*");
    private static final Pattern SELECT = Pattern.compile(
            "SELECT\\s+[A-Z]+\\((\\w+)\\)\\s+FROM\\s+SCHEMA\\(([^)]*)\\)(?:\\s+GROUP BY\\s+([\\w\\s,]+))?");
    private static final Pattern IDENTIFIER = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SOURCE = Pattern.compile("SOURCE '([^']+)'\\s*\\|(.*)");

    final List<Reference> references = new ArrayList<>();
    /** Members each Logs Insights query reads (PascalCase names: the query language's own words are lower case). */
    final Set<String> queryMembers = new HashSet<>();
    final List<String> querySources = new ArrayList<>();

    private final Map<String, Object> parameters;
    private final Map<String, Object> resources;

    @SuppressWarnings("unchecked")
    TemplateMetricReferences(Map<String, Object> template) {
        parameters = (Map<String, Object>) template.get("Parameters");
        resources = (Map<String, Object>) template.get("Resources");
        for (Map.Entry<String, Object> resource : resources.entrySet()) {
            Map<String, Object> definition = (Map<String, Object>) resource.getValue();
            Map<String, Object> properties = (Map<String, Object>) definition.get("Properties");
            switch (String.valueOf(definition.get("Type"))) {
                case "AWS::CloudWatch::Dashboard" -> readDashboard(resource.getKey(), properties.get("DashboardBody"));
                case "AWS::CloudWatch::Alarm" -> readAlarm(resource.getKey(), properties);
                default -> { }
            }
        }
    }

    /** A Fn::Sub variable as this test resolves it: parameters to their defaults, resources to ref:/att: markers. */
    String variable(String name) {
        if (name.equals("MetricsNamespace")) {
            return NAMESPACE;
        }
        if (parameters.get(name) instanceof Map<?, ?> parameter) {
            return String.valueOf(parameter.get("Default"));
        }
        if (name.startsWith("AWS::")) {
            return "aws:" + name.substring(5);
        }
        String resource = name.contains(".") ? name.substring(0, name.indexOf('.')) : name;
        assertTrue(resources.containsKey(resource), "Fn::Sub names ${" + name + "}: no parameter, resource or pseudo parameter");
        return (name.contains(".") ? "att:" : "ref:") + name;
    }

    private void readDashboard(String name, Object body) {
        if (!(body instanceof Map<?, ?> sub) || !(sub.get("Fn::Sub") instanceof String text)) {
            fail(name + ": DashboardBody is expected as !Sub of a JSON text");
            return;
        }
        JsonNode dashboard;
        try {
            dashboard = Json.MAPPER.readTree(CloudFormationYaml.substitute(text, this::variable));
        } catch (Exception e) {
            throw new AssertionError(name + ": DashboardBody is not JSON once substituted", e);
        }
        int index = 0;
        for (JsonNode widget : dashboard.path("widgets")) {
            String where = name + " widget " + index++ + " (" + widget.at("/properties/title").asText() + ")";
            switch (widget.path("type").asText()) {
                case "metric" -> readMetricWidget(where, widget.path("properties").path("metrics"));
                case "log" -> readQuery(where, widget.at("/properties/query").asText());
                default -> { }
            }
        }
    }

    private void readMetricWidget(String where, JsonNode metrics) {
        Set<String> ids = new HashSet<>();
        List<String> expressions = new ArrayList<>();
        for (JsonNode entry : metrics) {
            JsonNode last = entry.get(entry.size() - 1);
            if (last.isObject() && last.has("id")) {
                ids.add(last.get("id").asText());
            }
            if (entry.get(0).isObject()) {
                expressions.add(entry.get(0).path("expression").asText());
                continue;
            }
            Map<String, String> dimensions = new LinkedHashMap<>();
            int end = last.isObject() ? entry.size() - 1 : entry.size();
            for (int i = 2; i + 1 < end; i += 2) {
                dimensions.put(entry.get(i).asText(), entry.get(i + 1).asText());
            }
            references.add(new Reference(where, entry.get(0).asText(), entry.get(1).asText(), dimensions));
        }
        expressions.forEach(expression -> readExpression(where, expression, ids));
    }

    private void readExpression(String where, String expression, Set<String> ids) {
        Matcher search = SEARCH.matcher(expression);
        Matcher select = SELECT.matcher(expression);
        if (search.matches()) {
            references.add(schemaReference(where, search.group(2), search.group(1), null));
        } else if (select.matches()) {
            references.add(schemaReference(where, select.group(1), select.group(2), select.group(3)));
        } else if (expression.contains("SEARCH") || expression.contains("SELECT")) {
            fail(where + ": an expression this test cannot read: " + expression);
        } else {
            mathReferencesOnly(where, expression, ids);
        }
    }

    /** {@code ns, Dim, Dim} (the namespace may be quoted); GROUP BY may only name the schema's dimensions. */
    private static Reference schemaReference(String where, String metric, String schema, String groupBy) {
        List<String> parts = new ArrayList<>();
        for (String part : schema.split(",")) {
            parts.add(part.strip().replaceAll("^\"|\"$", ""));
        }
        Map<String, String> dimensions = new LinkedHashMap<>();
        parts.subList(1, parts.size()).forEach(dimension -> dimensions.put(dimension, "*"));
        if (groupBy != null) {
            for (String key : groupBy.split(",")) {
                assertTrue(dimensions.containsKey(key.strip()), where + ": GROUP BY " + key.strip() + " is not in the schema");
            }
        }
        return new Reference(where, parts.get(0), metric, dimensions);
    }

    /** Metric math: every lower-case name must be the id of a metric of the same widget or alarm (upper case: functions). */
    static void mathReferencesOnly(String where, String expression, Set<String> ids) {
        Matcher identifier = IDENTIFIER.matcher(expression);
        while (identifier.find()) {
            String name = identifier.group();
            assertTrue(name.equals(name.toUpperCase()) || ids.contains(name),
                    where + ": expression " + expression + " names " + name + ", no metric id of its own");
        }
    }

    private void readQuery(String where, String query) {
        Matcher source = SOURCE.matcher(query);
        assertTrue(source.matches(), where + ": a Logs Insights query without SOURCE '...' | : " + query);
        querySources.add(source.group(1));
        Matcher identifier = IDENTIFIER.matcher(source.group(2));
        while (identifier.find()) {
            if (Character.isUpperCase(identifier.group().charAt(0))) {
                queryMembers.add(identifier.group());
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void readAlarm(String name, Map<String, Object> properties) {
        if (!(properties.get("Metrics") instanceof List<?> metrics)) {
            references.add(alarmMetric(name, properties));
            return;
        }
        Set<String> ids = new HashSet<>();
        for (Object query : metrics) {
            ids.add(String.valueOf(((Map<String, Object>) query).get("Id")));
        }
        for (Object query : metrics) {
            Map<String, Object> data = (Map<String, Object>) query;
            if (data.get("MetricStat") instanceof Map<?, ?> stat) {
                references.add(alarmMetric(name + " " + data.get("Id"), (Map<String, Object>) stat.get("Metric")));
            } else {
                mathReferencesOnly(name, String.valueOf(data.get("Expression")), ids);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private Reference alarmMetric(String where, Map<String, Object> metric) {
        Map<String, String> dimensions = new LinkedHashMap<>();
        if (metric.get("Dimensions") instanceof List<?> list) {
            for (Object dimension : list) {
                Map<String, Object> pair = (Map<String, Object>) dimension;
                dimensions.put(String.valueOf(pair.get("Name")), resolve(pair.get("Value")));
            }
        }
        return new Reference(where, resolve(metric.get("Namespace")), String.valueOf(metric.get("MetricName")), dimensions);
    }

    /** A literal, or {@code !Ref X} as {@link #variable} resolves {@code ${X}}. */
    private String resolve(Object value) {
        if (value instanceof Map<?, ?> ref && ref.get("Ref") instanceof String name) {
            return variable(name);
        }
        return String.valueOf(value);
    }
}
