package io.llmrelay.relay.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.ParamRules;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatCompletionRequest;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A route's parameter rules applied to a request, in order: defaults fill what the caller left
 * out (absent or null), overrides replace what it sent, then limits lower any number above its
 * ceiling (a request is never refused for asking too much). A parameter none of these touch
 * keeps the caller's text.
 */
final class ParamEdit {
    private ParamEdit() {}

    /** The fields to write, by name, as JSON text. */
    static Map<String, String> edits(ParamRules rules, ChatCompletionRequest chat) {
        Map<String, JsonNode> set = new LinkedHashMap<>();
        rules.defaults().forEach((name, value) -> {
            JsonNode sent = chat.field(name);
            if (sent == null || sent.isNull()) {
                set.put(name, value);
            }
        });
        set.putAll(rules.overrides());
        Map<String, String> edits = new LinkedHashMap<>();
        set.forEach((name, value) -> edits.put(name, Json.write(value)));
        for (String name : ParamRules.LIMITABLE) {
            BigDecimal limit = rules.limitFor(name);
            JsonNode value = set.containsKey(name) ? set.get(name) : chat.field(name);
            if (limit != null && value != null && above(value, limit)) {
                edits.put(name, limit.toPlainString());
            }
        }
        return edits;
    }

    /** Whether a JSON number exceeds {@code limit}; {@code 1e309}, read as infinity, does. Not a number: no. */
    static boolean above(JsonNode value, BigDecimal limit) {
        if (!value.isNumber()) {
            return false; // the upstream says what it thinks of a string max_tokens
        }
        if (value.isFloatingPointNumber() && !Double.isFinite(value.doubleValue())) {
            return value.doubleValue() > 0;
        }
        return value.decimalValue().compareTo(limit) > 0;
    }
}
