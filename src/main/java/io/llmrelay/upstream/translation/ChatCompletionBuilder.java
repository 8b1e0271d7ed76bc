package io.llmrelay.upstream.translation;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * A whole OpenAI {@code chat.completion} (https://platform.openai.com/docs/api-reference/chat/object)
 * from a provider's non-streaming answer, with the same finish-reason table and usage as streams.
 */
public final class ChatCompletionBuilder {
    private final StringBuilder text = new StringBuilder();
    private boolean hasText;
    private final List<ObjectNode> toolCalls = new ArrayList<>();

    public ChatCompletionBuilder text(String part) {
        text.append(part);
        hasText = true;
        return this;
    }

    /** @param input the provider's parsed tool input; OpenAI wants it as a JSON string */
    public ChatCompletionBuilder toolCall(String id, String name, JsonNode input) {
        ObjectNode call = Json.object();
        call.put("id", id);
        call.put("type", "function");
        call.putObject("function").put("name", name)
                .put("arguments", input == null || input.isNull() ? "{}" : Json.write(input));
        toolCalls.add(call);
        return this;
    }

    public ObjectNode build(String id, long created, String model, String finishReason, TokenUsage usage) {
        ObjectNode completion = Json.object();
        completion.put("id", id);
        completion.put("object", "chat.completion");
        completion.put("created", created);
        completion.put("model", model);
        ObjectNode choice = completion.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        if (hasText) {
            message.put("content", text.toString());
        } else {
            message.putNull("content");
        }
        message.putNull("refusal");
        if (!toolCalls.isEmpty()) {
            ArrayNode calls = message.putArray("tool_calls");
            toolCalls.forEach(calls::add);
        }
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        completion.putObject("usage")
                .put("prompt_tokens", usage.promptTokens())
                .put("completion_tokens", usage.completionTokens())
                .put("total_tokens", usage.totalTokens());
        return completion;
    }
}
