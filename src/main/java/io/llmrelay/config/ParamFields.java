package io.llmrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Reads a route's {@code params}: {@code defaults}, {@code overrides} and {@code limits} ({@link ParamRules}). */
final class ParamFields {
    private static final Set<String> KNOWN = new LinkedHashSet<>(List.of("defaults", "overrides", "limits"));
    /** The relay reads and writes these itself. */
    private static final Set<String> OWNED = Set.of("model", "messages", "stream");
    /** Counts: whole numbers, at least this. */
    private static final Map<String, Long> WHOLE_MINIMUM = Map.of("max_tokens", 1L, "max_completion_tokens", 1L,
            "n", 1L, "top_logprobs", 0L);

    private ParamFields() {}

    static ParamRules read(Fields route, List<String> dropFields) {
        Fields params = route.nested("params", KNOWN, "with \"defaults\", \"overrides\" and \"limits\"");
        if (params == null) {
            return ParamRules.NONE;
        }
        Map<String, JsonNode> defaults = values(params, "defaults", dropFields);
        Map<String, JsonNode> overrides = values(params, "overrides", dropFields);
        Map<String, BigDecimal> limits = limits(params);
        for (String name : defaults.keySet()) {
            if (overrides.containsKey(name)) {
                params.problems().add(Problems.field(params.path("defaults"), name),
                        "is in \"overrides\" too, whose value always wins: keep one");
            }
        }
        ParamRules rules = new ParamRules(defaults, overrides, limits);
        checkAgainstLimits(params, "defaults", defaults, rules);
        checkAgainstLimits(params, "overrides", overrides, rules);
        return rules;
    }

    private static Map<String, JsonNode> values(Fields params, String field, List<String> dropFields) {
        // Any request parameter may be named here, so there is no list of known names.
        Fields values = params.nested(field, null, "of request parameters and their values");
        Map<String, JsonNode> result = new LinkedHashMap<>();
        if (values == null) {
            return result;
        }
        values.members().forEach((name, value) -> {
            String at = Problems.field(params.path(field), name);
            if (OWNED.contains(name)) {
                params.problems().add(at, "'" + name + "' is the caller's: the relay reads it and routes by it");
            } else if (dropFields.contains(name)) {
                params.problems().add(at, "'" + name + "' is in the route's dropFields, so it would never be sent");
            } else {
                result.put(name, value);
            }
        });
        return result;
    }

    private static Map<String, BigDecimal> limits(Fields params) {
        Fields limits = params.nested("limits", ParamRules.LIMITABLE, "of parameter ceilings");
        Map<String, BigDecimal> result = new LinkedHashMap<>();
        if (limits == null) {
            return result;
        }
        limits.members().forEach((name, value) -> {
            if (!ParamRules.LIMITABLE.contains(name)) {
                return; // reported by nested()
            }
            Long whole = WHOLE_MINIMUM.get(name);
            boolean ok = whole != null ? value.isIntegralNumber() && value.canConvertToLong() && value.asLong() >= whole
                    : isFinite(value) && value.decimalValue().signum() >= 0;
            if (ok) {
                result.put(name, value.decimalValue());
            } else {
                limits.problems().add(limits.path(name), whole != null
                        ? "must be a whole number from " + whole : "must be a number from 0");
            }
        });
        return result;
    }

    /** A JSON number Jackson read as a finite value ({@code 1e309} reads as infinity, which has no decimal). */
    private static boolean isFinite(JsonNode value) {
        return value.isNumber() && (!value.isFloatingPointNumber() || Double.isFinite(value.doubleValue()));
    }

    /** A default or override above its own limit would be lowered on every request: a contradiction, said at start-up. */
    private static void checkAgainstLimits(Fields params, String field, Map<String, JsonNode> values, ParamRules rules) {
        values.forEach((name, value) -> {
            BigDecimal limit = rules.limitFor(name);
            if (limit != null && value.isNumber() && (!isFinite(value) || value.decimalValue().compareTo(limit) > 0)) {
                params.problems().add(Problems.field(params.path(field), name),
                        "is above its limit (" + limit.toPlainString() + ")");
            }
        });
    }
}
