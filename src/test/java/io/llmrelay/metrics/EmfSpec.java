package io.llmrelay.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The rules of CloudWatch's Embedded Metric Format, as a checker that names each rule a line
 * breaks. Written from the specification page, not from {@link EmfWriter}:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 * (document structure, its JSON schema, and the entity section), plus the CloudWatch limits that
 * page points to for namespaces (cloudwatch_concepts.html#Namespace) and dimension values
 * (APIReference/API_Dimension.html).
 */
final class EmfSpec {
    /** The schema's MetricUnit pattern, which is MetricDatum's list of units. */
    static final Set<String> UNITS = Set.of("Seconds", "Microseconds", "Milliseconds", "Bytes", "Kilobytes",
            "Megabytes", "Gigabytes", "Terabytes", "Bits", "Kilobits", "Megabits", "Gigabits", "Terabits", "Percent",
            "Count", "Bytes/Second", "Kilobytes/Second", "Megabytes/Second", "Gigabytes/Second", "Terabytes/Second",
            "Bits/Second", "Kilobits/Second", "Megabits/Second", "Gigabits/Second", "Terabits/Second", "Count/Second",
            "None");
    /** "Objects defined by this specification MUST NOT contain any additional members." */
    private static final Set<String> METADATA_MEMBERS = Set.of("Timestamp", "CloudWatchMetrics");
    private static final Set<String> DIRECTIVE_MEMBERS = Set.of("Namespace", "Dimensions", "Metrics");
    private static final Set<String> DEFINITION_MEMBERS = Set.of("Name", "Unit", "StorageResolution");
    /** Top-level members CloudWatch reads as entity information (the page's entity section). */
    private static final Set<String> ENTITY_MEMBERS = Set.of("Service", "Environment", "ResourceType", "Identifier",
            "Host", "Lambda.Function", "K8s.Cluster", "EKS.Cluster", "ECS.Cluster", "EC2.InstanceId");
    /** "limited to a maximum size of 1 MB". */
    private static final int MAX_EVENT_BYTES = 1024 * 1024;

    private static final ObjectMapper STRICT = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

    private final List<String> violations = new ArrayList<>();

    private EmfSpec() {}

    /** Every rule {@code line} (one log event's message) breaks; empty when it is a valid EMF document. */
    static List<String> violations(String line) {
        EmfSpec spec = new EmfSpec();
        spec.check(line);
        return spec.violations;
    }

    private void check(String line) {
        if (line.indexOf('\n') >= 0 || line.indexOf('\r') >= 0) {
            violations.add("a log line holds a line break, so it would be two events");
        }
        if (line.getBytes(StandardCharsets.UTF_8).length > MAX_EVENT_BYTES) {
            violations.add("the event is over 1 MB");
        }
        JsonNode root;
        try {
            root = STRICT.readTree(line);
        } catch (JsonProcessingException e) {
            violations.add("the message is not one valid JSON object with nothing around it: " + e.getOriginalMessage());
            return;
        }
        if (root == null || !root.isObject()) {
            violations.add("the root node is not a JSON object");
            return;
        }
        for (String member : ENTITY_MEMBERS) {
            if (root.has(member)) {
                violations.add("top-level member " + member + " would be read as entity information");
            }
        }
        JsonNode aws = root.get("_aws");
        if (aws == null || !aws.isObject()) {
            violations.add("the root has no _aws object");
            return;
        }
        onlyMembers(aws, METADATA_MEMBERS, "_aws");
        JsonNode timestamp = aws.get("Timestamp");
        if (timestamp == null || !timestamp.isIntegralNumber() || timestamp.asLong() < 0) {
            violations.add("_aws.Timestamp is not a whole number of milliseconds since the epoch");
        }
        JsonNode directives = aws.get("CloudWatchMetrics");
        if (directives == null || !directives.isArray()) {
            violations.add("_aws.CloudWatchMetrics is not an array");
            return;
        }
        for (JsonNode directive : directives) {
            checkDirective(root, directive);
        }
    }

    private void checkDirective(JsonNode root, JsonNode directive) {
        if (!directive.isObject()) {
            violations.add("a MetricDirective is not an object");
            return;
        }
        onlyMembers(directive, DIRECTIVE_MEMBERS, "MetricDirective");
        JsonNode namespace = directive.get("Namespace");
        if (namespace == null || !namespace.isTextual() || !validNamespace(namespace.asText())) {
            violations.add("Namespace is missing or not a CloudWatch namespace: " + namespace);
        }
        JsonNode dimensions = directive.get("Dimensions");
        if (dimensions == null || !dimensions.isArray() || dimensions.isEmpty()) {
            violations.add("Dimensions is not an array of at least one DimensionSet");
        } else {
            dimensions.forEach(set -> checkDimensionSet(root, set));
        }
        JsonNode metrics = directive.get("Metrics");
        if (metrics == null || !metrics.isArray()) {
            violations.add("Metrics is not an array");
            return;
        }
        if (metrics.size() > 100) {
            violations.add("Metrics holds more than 100 MetricDefinitions");
        }
        metrics.forEach(definition -> checkDefinition(root, definition));
    }

    private void checkDimensionSet(JsonNode root, JsonNode set) {
        if (!set.isArray()) {
            violations.add("a DimensionSet is not an array");
            return;
        }
        if (set.size() > 30) {
            violations.add("a DimensionSet holds more than 30 dimension keys");
        }
        for (JsonNode key : set) {
            if (!key.isTextual() || key.asText().isEmpty() || key.asText().length() > 250) {
                violations.add("a dimension reference is not a string of 1 to 250 characters: " + key);
                continue;
            }
            JsonNode target = root.get(key.asText());
            if (target == null) {
                violations.add("dimension " + key.asText() + " is not a member of the root node");
            } else if (!target.isTextual()) {
                violations.add("dimension target " + key.asText() + " is not a string");
            } else if (!validDimensionValue(target.asText())) {
                violations.add("dimension value of " + key.asText() + " breaks CloudWatch's rule (1 to 1024"
                        + " printable ASCII characters, not all blank)");
            }
        }
    }

    private void checkDefinition(JsonNode root, JsonNode definition) {
        if (!definition.isObject()) {
            violations.add("a MetricDefinition is not an object");
            return;
        }
        onlyMembers(definition, DEFINITION_MEMBERS, "MetricDefinition");
        JsonNode name = definition.get("Name");
        if (name == null || !name.isTextual() || name.asText().isEmpty() || name.asText().length() > 1024) {
            violations.add("a MetricDefinition has no Name of 1 to 1024 characters");
            return;
        }
        JsonNode unit = definition.get("Unit");
        if (unit != null && !(unit.isTextual() && UNITS.contains(unit.asText()))) {
            violations.add("metric " + name.asText() + " has a Unit CloudWatch does not know: " + unit);
        }
        JsonNode resolution = definition.get("StorageResolution");
        if (resolution != null && !(resolution.isIntegralNumber() && (resolution.asInt() == 1 || resolution.asInt() == 60))) {
            violations.add("metric " + name.asText() + " has a StorageResolution other than 1 or 60");
        }
        JsonNode target = root.get(name.asText());
        if (target == null) {
            violations.add("metric " + name.asText() + " is not a member of the root node");
        } else if (!numericTarget(target)) {
            violations.add("metric " + name.asText() + " is not a number or an array of at most 100 numbers");
        }
    }

    private static boolean numericTarget(JsonNode target) {
        if (target.isNumber()) {
            return true;
        }
        if (!target.isArray() || target.size() > 100) {
            return false;
        }
        for (JsonNode element : target) {
            if (!element.isNumber()) {
                return false;
            }
        }
        return true;
    }

    private void onlyMembers(JsonNode object, Set<String> allowed, String what) {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!allowed.contains(name)) {
                violations.add(what + " has a member the specification does not define: " + name);
            }
        }
    }

    /** cloudwatch_concepts.html: ASCII, at most 255, of 0-9A-Za-z . - _ / # : and space, one non-space; API: no leading ':'. */
    static boolean validNamespace(String namespace) {
        return namespace.matches("[0-9A-Za-z._/#: -]{1,255}") && !namespace.isBlank() && !namespace.startsWith(":");
    }

    /** API_Dimension.html: 1 to 1024 characters, ASCII without control characters, at least one non-whitespace. */
    static boolean validDimensionValue(String value) {
        return value.length() <= 1024 && value.matches("[\\x20-\\x7e]+") && !value.isBlank();
    }
}
