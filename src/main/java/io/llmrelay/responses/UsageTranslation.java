package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;

/**
 * Chat usage ({@code prompt_tokens}, {@code completion_tokens}, {@code total_tokens} and their
 * details) as Responses usage (ResponseUsage: {@code input_tokens}, {@code input_tokens_details.cached_tokens},
 * {@code output_tokens}, {@code output_tokens_details.reasoning_tokens}, {@code total_tokens}; all
 * required, https://developers.openai.com/api/reference/resources/responses/methods/create). A
 * detail the upstream did not report is 0, as OpenAI reports an absent one.
 */
final class UsageTranslation {
    private UsageTranslation() {}

    /** Null when the chat usage is absent or not an object. */
    static ObjectNode of(JsonNode chatUsage) {
        if (chatUsage == null || !chatUsage.isObject()) {
            return null;
        }
        long input = chatUsage.path("prompt_tokens").asLong(0);
        long output = chatUsage.path("completion_tokens").asLong(0);
        JsonNode total = chatUsage.get("total_tokens");
        ObjectNode usage = Json.object();
        usage.put("input_tokens", input);
        usage.putObject("input_tokens_details")
                .put("cached_tokens", chatUsage.path("prompt_tokens_details").path("cached_tokens").asLong(0));
        usage.put("output_tokens", output);
        usage.putObject("output_tokens_details")
                .put("reasoning_tokens", chatUsage.path("completion_tokens_details").path("reasoning_tokens").asLong(0));
        usage.put("total_tokens", total != null && total.isNumber() ? total.asLong() : input + output);
        return usage;
    }
}
