package io.llmrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/** Reads and checks one entry of {@code routes}. */
final class RouteParser {
    private static final Set<String> KNOWN = new LinkedHashSet<>(List.of(
            "name", "type", "baseUrl", "apiKey", "apiKeyHeader", "models", "default", "upstreamModel",
            "headers", "dropFields", "firstByteTimeoutMs", "idleTimeoutMs", "retries", "retryBudgetMs", "fallback", "maxStreamSeconds",
            "region", "defaultMaxTokens", "requestUsage"));

    static {
        KNOWN.addAll(HedgeFields.NAMES);
        KNOWN.addAll(TransformFields.NAMES);
    }
    /** The relay cannot work without these request fields. */
    private static final Set<String> UNDROPPABLE = Set.of("model", "messages", "stream");
    private static final Pattern MODEL = Pattern.compile("[^\\s\\p{Cntrl}]+");
    /** Lambda stops a function after 15 minutes, so longer waits could never happen. */
    private static final long MAX_TIMEOUT_MS = 900_000;
    /** Each retry adds latency a caller hears; more than this is a misconfiguration, not resilience. */
    private static final int MAX_RETRIES = 10;

    private RouteParser() {}

    /** @return the route, or null when it has problems (already recorded) */
    static RouteConfig parse(JsonNode node, String path, Problems problems) {
        int before = problems.count();
        Fields fields = Fields.ofEntry(node, path, problems, KNOWN, "must be an object");
        if (fields == null) {
            return null;
        }
        String name = fields.name();
        RouteType type = type(fields);

        UpstreamFields.Upstream upstream = UpstreamFields.read(fields, type);

        boolean isDefault = fields.bool("default", false);
        List<String> models = models(fields);
        if (models.isEmpty() && !isDefault && !fields.has("models")) {
            problems.add(fields.path("models"), "is required unless the route has \"default\": true");
        } else if (models.isEmpty() && !isDefault) {
            problems.add(fields.path("models"), "must name at least one model unless the route has \"default\": true");
        }
        String upstreamModel = fields.string("upstreamModel", false);
        if (upstreamModel != null && (!MODEL.matcher(upstreamModel).matches() || upstreamModel.contains("*"))) {
            problems.add(fields.path("upstreamModel"), "must be a model name without spaces or '*'");
        }
        List<String> dropFields = dropFields(fields);
        long firstByte = fields.wholeNumber("firstByteTimeoutMs", RouteConfig.DEFAULT_FIRST_BYTE_TIMEOUT_MS,
                1, MAX_TIMEOUT_MS, "milliseconds");
        long idle = fields.wholeNumber("idleTimeoutMs", RouteConfig.DEFAULT_IDLE_TIMEOUT_MS,
                1, MAX_TIMEOUT_MS, "milliseconds");
        int retries = (int) fields.wholeNumber("retries", type == RouteType.DEMO ? 0 : RouteConfig.DEFAULT_RETRIES,
                0, MAX_RETRIES, "retries");
        long retryBudget = fields.wholeNumber("retryBudgetMs", RouteConfig.DEFAULT_RETRY_BUDGET_MS,
                0, MAX_TIMEOUT_MS, "milliseconds");
        List<String> fallback = fallback(fields, name);
        int maxStream = (int) fields.wholeNumber("maxStreamSeconds", RouteConfig.DEFAULT_MAX_STREAM_SECONDS,
                1, RouteConfig.MAX_STREAM_SECONDS, "seconds");
        Hedge hedge = HedgeFields.read(fields, name, firstByte);
        RouteTransform transform = TransformFields.read(fields, dropFields);
        boolean requestUsage = requestUsage(fields, type);

        if (problems.count() != before) {
            return null;
        }
        return new RouteConfig(name, type, upstream.baseUrl(), upstream.apiKey(), upstream.apiKeyHeader(), models,
                isDefault, upstreamModel, upstream.headers(), dropFields, firstByte, idle, retries, retryBudget, fallback,
                upstream.region(), upstream.defaultMaxTokens(), maxStream, hedge, transform, requestUsage);
    }

    /**
     * {@code requestUsage}: OpenAI-compatible routes only (default true; false for an upstream that
     * refuses {@code stream_options}). A translated route's provider reports usage in its own events
     * whatever the request says, so the field would do nothing there, and is refused rather than ignored.
     */
    private static boolean requestUsage(Fields fields, RouteType type) {
        boolean byDefault = RouteConfig.requestsUsageByDefault(type);
        if (fields.has("requestUsage") && !byDefault) {
            fields.problems().add(fields.path("requestUsage"), "is not used by a route of type \"" + type.configName()
                    + "\": its provider reports token usage in its own events, unasked");
            return false;
        }
        return fields.bool("requestUsage", byDefault);
    }

    /** Route names only; that they exist is checked once every route is known (ConfigLoader). */
    private static List<String> fallback(Fields fields, String ownName) {
        List<String> given = fields.strings("fallback");
        if (given == null) {
            return List.of();
        }
        Set<String> seen = new LinkedHashSet<>();
        for (int i = 0; i < given.size(); i++) {
            String target = given.get(i);
            String at = Problems.index(fields.path("fallback"), i);
            if (target.equals(ownName)) {
                fields.problems().add(at, "a route cannot be its own fallback");
            } else if (!seen.add(target)) {
                fields.problems().add(at, "'" + target + "' is listed twice");
            }
        }
        return List.copyOf(seen);
    }

    private static RouteType type(Fields fields) {
        String text = fields.string("type", false);
        if (text == null) {
            return RouteType.OPENAI;
        }
        return RouteType.fromConfigName(text).orElseGet(() -> {
            fields.problems().add(fields.path("type"), "must be " + RouteType.choices());
            return RouteType.OPENAI;
        });
    }

    private static List<String> models(Fields fields) {
        List<String> given = fields.strings("models");
        if (given == null) {
            return List.of();
        }
        for (int i = 0; i < given.size(); i++) {
            if (!MODEL.matcher(given.get(i)).matches()) {
                fields.problems().add(Problems.index(fields.path("models"), i),
                        "must be a model name or a '*' glob, without spaces");
            }
        }
        return given;
    }

    private static List<String> dropFields(Fields fields) {
        List<String> given = fields.strings("dropFields");
        if (given == null) {
            return RouteConfig.DEFAULT_DROP_FIELDS;
        }
        for (int i = 0; i < given.size(); i++) {
            if (UNDROPPABLE.contains(given.get(i))) {
                fields.problems().add(Problems.index(fields.path("dropFields"), i),
                        "'" + given.get(i) + "' cannot be dropped: the relay needs it");
            }
        }
        return List.copyOf(new LinkedHashSet<>(given));
    }
}
