package io.llmrelay.upstream.translation;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * What happens to each top-level parameter of an OpenAI chat request
 * (https://platform.openai.com/docs/api-reference/chat/create) on its way to Anthropic or Bedrock.
 * A parameter that changes the answer and cannot be honoured is refused with a 400 naming it,
 * unless its value is the default; one that only tunes is dropped and noted for the debug log.
 */
final class RequestParameters {
    private enum Treatment { TRANSLATED, REFUSED, DROPPED }

    /** @param harmless values that ask for nothing beyond the default (null: any value is refused) */
    private record Rule(Treatment treatment, Predicate<JsonNode> harmless, String why) {}

    private static final Map<String, Rule> TABLE = new LinkedHashMap<>();

    static {
        for (String name : List.of("model", "messages", "stream", "stream_options", "max_completion_tokens",
                "max_tokens", "temperature", "top_p", "stop", "tools", "tool_choice", "parallel_tool_calls")) {
            TABLE.put(name, new Rule(Treatment.TRANSLATED, null, null));
        }
        refuse("n", v -> v.isNumber() && v.asDouble() == 1, "only one choice per answer is possible");
        refuse("logprobs", v -> v.isBoolean() && !v.booleanValue(), "token log probabilities are not available");
        refuse("top_logprobs", v -> v.isNumber() && v.asDouble() == 0, "token log probabilities are not available");
        refuse("response_format", v -> v.path("type").asText("").equals("text"),
                "only {\"type\": \"text\"} is supported (no JSON mode or JSON schema)");
        refuse("modalities", v -> v.isArray() && v.size() == 1 && v.get(0).asText("").equals("text"),
                "only text output is supported");
        refuse("audio", null, "audio output is not supported");
        refuse("functions", null, "the deprecated functions API is not translated; use tools");
        refuse("function_call", null, "the deprecated functions API is not translated; use tool_choice");
        refuse("logit_bias", v -> v.isObject() && v.isEmpty(), "token biases are not supported");
        refuse("web_search_options", null, "web search is not supported");
        for (String name : List.of("seed", "user", "service_tier", "store", "metadata", "frequency_penalty",
                "presence_penalty", "reasoning_effort", "verbosity", "prediction", "prompt_cache_key",
                "safety_identifier")) {
            TABLE.put(name, new Rule(Treatment.DROPPED, null, null));
        }
    }

    private RequestParameters() {}

    private static void refuse(String name, Predicate<JsonNode> harmless, String why) {
        TABLE.put(name, new Rule(Treatment.REFUSED, harmless, why));
    }

    /**
     * Refuses what cannot be honoured; returns the tuning-only parameters that were present (any
     * parameter not in the table counts as one: vendors add fields, and OpenAI adds parameters).
     *
     * @param provider how the provider is named in messages, e.g. "Anthropic's Messages API"
     */
    static List<String> check(JsonNode body, String provider) throws InvalidRequestException {
        List<String> dropped = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : body.properties()) {
            JsonNode value = field.getValue();
            if (value.isNull()) {
                continue; // the OpenAI SDKs treat null as not given
            }
            Rule rule = TABLE.get(field.getKey());
            if (rule == null || rule.treatment() == Treatment.DROPPED) {
                dropped.add(field.getKey());
            } else if (rule.treatment() == Treatment.REFUSED
                    && (rule.harmless() == null || !rule.harmless().test(value))) {
                throw invalid(field.getKey(), "'" + field.getKey() + "' cannot be honoured by the model behind this route ("
                        + provider + "): " + rule.why() + ".");
            }
        }
        return dropped;
    }

    /** {@code max_completion_tokens} (OpenAI's current name), else {@code max_tokens}; null when neither. */
    static Integer maxTokens(JsonNode body) throws InvalidRequestException {
        for (String name : List.of("max_completion_tokens", "max_tokens")) {
            JsonNode value = body.get(name);
            if (value != null && !value.isNull()) {
                if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 1) {
                    throw invalid(name, "Invalid '" + name + "': expected an integer of at least 1.");
                }
                return value.intValue();
            }
        }
        return null;
    }

    /** A number parameter as given, or null. */
    static JsonNode number(JsonNode body, String name) throws InvalidRequestException {
        JsonNode value = body.get(name);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isNumber()) {
            throw invalid(name, "Invalid type for '" + name + "': expected a number.");
        }
        return value;
    }

    /** {@code stop}: one string or an array of strings. */
    static List<String> stop(JsonNode body) throws InvalidRequestException {
        JsonNode value = body.get("stop");
        if (value == null || value.isNull()) {
            return List.of();
        }
        if (value.isTextual()) {
            return List.of(value.asText());
        }
        List<String> sequences = new ArrayList<>();
        if (value.isArray()) {
            for (JsonNode sequence : value) {
                if (!sequence.isTextual()) {
                    throw invalid("stop", "Invalid type for 'stop': expected a string or an array of strings.");
                }
                sequences.add(sequence.asText());
            }
            return sequences;
        }
        throw invalid("stop", "Invalid type for 'stop': expected a string or an array of strings.");
    }

    static InvalidRequestException invalid(String param, String message) {
        return new InvalidRequestException(OpenAiError.invalidRequest(param, message));
    }
}
