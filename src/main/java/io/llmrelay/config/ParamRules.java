package io.llmrelay.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigDecimal;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A route's rules for the request's top-level parameters, applied in this order:
 *
 * @param defaults  set when the caller sent the parameter not at all, or as null
 * @param overrides set whatever the caller sent
 * @param limits    ceilings: a larger number the caller (or a default, or an override) gave is lowered
 *                  to the limit, never refused; a parameter that is absent stays absent
 */
public record ParamRules(Map<String, JsonNode> defaults, Map<String, JsonNode> overrides,
        Map<String, BigDecimal> limits) {

    public static final ParamRules NONE = new ParamRules(Map.of(), Map.of(), Map.of());

    /**
     * What {@code limits} may name. {@code max_tokens} and {@code max_completion_tokens} name one
     * budget (OpenAI renamed the first to the second), so a limit on either caps both.
     */
    public static final Set<String> LIMITABLE = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
            "max_tokens", "max_completion_tokens", "n", "temperature", "top_p", "top_logprobs")));
    /** The two names of the answer's token budget. */
    public static final Set<String> TOKEN_BUDGET = Set.of("max_tokens", "max_completion_tokens");

    public ParamRules {
        defaults = Collections.unmodifiableMap(new LinkedHashMap<>(defaults));
        overrides = Collections.unmodifiableMap(new LinkedHashMap<>(overrides));
        limits = Collections.unmodifiableMap(new LinkedHashMap<>(limits));
    }

    public boolean isEmpty() {
        return defaults.isEmpty() && overrides.isEmpty() && limits.isEmpty();
    }

    /**
     * The ceiling for request parameter {@code name}, or null: for the token budget, the smaller of
     * the limits on its two names.
     */
    public BigDecimal limitFor(String name) {
        if (!TOKEN_BUDGET.contains(name)) {
            return limits.get(name);
        }
        BigDecimal smallest = null;
        for (String budget : TOKEN_BUDGET) {
            BigDecimal limit = limits.get(budget);
            if (limit != null && (smallest == null || limit.compareTo(smallest) < 0)) {
                smallest = limit;
            }
        }
        return smallest;
    }
}
