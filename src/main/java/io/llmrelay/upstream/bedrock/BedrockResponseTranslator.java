package io.llmrelay.upstream.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.ChatCompletionBuilder;
import io.llmrelay.upstream.translation.FinishReasons;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TokenUsage;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.IOException;

/**
 * A whole Converse response (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html,
 * "Response Syntax": {@code output.message.content}, {@code stopReason}, {@code usage}) as one OpenAI
 * {@code chat.completion}: text blocks joined, toolUse blocks as {@code tool_calls}, other blocks
 * (reasoningContent ...) left out, stopReason through {@link FinishReasons}.
 */
public final class BedrockResponseTranslator {
    private BedrockResponseTranslator() {}

    public static ObjectNode toCompletion(byte[] body, String id, long created, String model, TranslationNotes notes)
            throws StreamFailure {
        JsonNode response;
        try {
            response = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            response = null;
        }
        JsonNode content = response == null ? null : response.path("output").path("message").path("content");
        if (content == null || !content.isArray()) {
            throw StreamFailure.invalid(BedrockStreamTranslator.PROVIDER, "an answer that is not a Converse response ("
                    + body.length + " bytes)");
        }
        ChatCompletionBuilder completion = new ChatCompletionBuilder();
        for (JsonNode block : content) {
            if (block.path("text").isTextual()) {
                completion.text(block.get("text").asText());
            } else if (block.path("toolUse").isObject()) {
                JsonNode use = block.get("toolUse");
                completion.toolCall(use.path("toolUseId").asText(), use.path("name").asText(), use.get("input"));
            }
        }
        JsonNode usage = response.path("usage");
        long prompt = usage.path("inputTokens").asLong(0) + usage.path("cacheReadInputTokens").asLong(0)
                + usage.path("cacheWriteInputTokens").asLong(0);
        String finish = FinishReasons.toOpenAi(response.path("stopReason").asText(null), notes);
        return completion.build(id, created, model, finish, new TokenUsage(prompt, usage.path("outputTokens").asLong(0)));
    }
}
