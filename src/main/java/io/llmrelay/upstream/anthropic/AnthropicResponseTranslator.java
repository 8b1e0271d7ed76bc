package io.llmrelay.upstream.anthropic;

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
 * A whole Anthropic Message (https://docs.anthropic.com/en/api/messages, "Response") as one OpenAI
 * {@code chat.completion}: text blocks joined into {@code content}, tool_use blocks as
 * {@code tool_calls} (input as a JSON string), other blocks (thinking ...) left out, stop_reason
 * through {@link FinishReasons}, usage with cached prompt tokens counted as prompt tokens.
 */
public final class AnthropicResponseTranslator {
    private AnthropicResponseTranslator() {}

    public static ObjectNode toCompletion(byte[] body, String id, long created, String model, TranslationNotes notes)
            throws StreamFailure {
        JsonNode message;
        try {
            message = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            message = null;
        }
        if (message == null || !message.path("content").isArray()) {
            throw StreamFailure.invalid(AnthropicStreamTranslator.PROVIDER, "an answer that is not a Message ("
                    + body.length + " bytes)");
        }
        ChatCompletionBuilder completion = new ChatCompletionBuilder();
        for (JsonNode block : message.get("content")) {
            switch (block.path("type").asText()) {
                case "text" -> completion.text(block.path("text").asText(""));
                case "tool_use" -> completion.toolCall(block.path("id").asText(), block.path("name").asText(),
                        block.get("input"));
                default -> { }
            }
        }
        JsonNode usage = message.path("usage");
        long prompt = usage.path("input_tokens").asLong(0) + usage.path("cache_creation_input_tokens").asLong(0)
                + usage.path("cache_read_input_tokens").asLong(0);
        String finish = FinishReasons.toOpenAi(message.path("stop_reason").asText(null), notes);
        return completion.build(id, created, model, finish, new TokenUsage(prompt, usage.path("output_tokens").asLong(0)));
    }
}
