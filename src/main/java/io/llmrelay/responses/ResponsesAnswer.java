package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.IOException;

/**
 * A whole {@code chat.completion} (https://platform.openai.com/docs/api-reference/chat/object) as
 * a Response object: the first choice's message becomes a {@code message} output item (an
 * {@code output_text} part for its content, a {@code refusal} part for its refusal) followed by a
 * {@code function_call} item per tool call; {@code finish_reason} decides the status
 * ({@link FinishReasons}); usage is translated ({@link UsageTranslation}). Item ids are those a
 * stream of the same answer would carry.
 */
public final class ResponsesAnswer {
    private ResponsesAnswer() {}

    /** The Response object's JSON bytes for an upstream chat completion body. */
    public static byte[] translate(byte[] chatCompletion, ResponseContext context, long completedAtEpochSeconds)
            throws UnreadableAnswerException {
        JsonNode completion;
        try {
            completion = Json.MAPPER.readTree(chatCompletion);
        } catch (IOException e) {
            completion = null;
        }
        if (completion == null || !completion.isObject()) {
            throw new UnreadableAnswerException("The upstream's answer is not a JSON object ("
                    + chatCompletion.length + " bytes); it cannot be translated into a response.");
        }
        return Json.writeBytes(translate(completion, context, completedAtEpochSeconds));
    }

    public static ObjectNode translate(JsonNode completion, ResponseContext context, long completedAtEpochSeconds)
            throws UnreadableAnswerException {
        JsonNode choice = firstChoice(completion.path("choices"));
        if (choice == null || !choice.path("message").isObject()) {
            throw new UnreadableAnswerException("The upstream's answer has no choice with a message; it cannot be"
                    + " translated into a response.");
        }
        FinishReasons end = FinishReasons.of(choice.path("finish_reason").asText(null));
        JsonNode message = choice.path("message");
        ArrayNode output = Json.MAPPER.createArrayNode();
        ArrayNode content = Json.MAPPER.createArrayNode();
        String text = message.path("content").isTextual() ? message.path("content").asText() : "";
        if (!text.isEmpty()) {
            content.add(MessageItem.textPart(text));
        }
        String refusal = message.path("refusal").isTextual() ? message.path("refusal").asText() : "";
        if (!refusal.isEmpty()) {
            content.add(MessageItem.refusalPart(refusal));
        }
        if (!content.isEmpty()) {
            ObjectNode item = output.addObject();
            item.put("id", context.messageId(0));
            item.put("type", "message");
            item.put("status", end.itemStatus());
            item.set("content", content);
            item.put("role", "assistant");
        }
        for (JsonNode call : message.path("tool_calls")) {
            int index = output.size();
            JsonNode id = call.get("id");
            ObjectNode item = output.addObject();
            item.put("id", context.functionCallId(index));
            item.put("type", "function_call");
            item.put("status", end.itemStatus());
            item.put("arguments", call.path("function").path("arguments").asText(""));
            item.put("call_id", id != null && id.isTextual() && !id.asText().isEmpty() ? id.asText() : context.callId(index));
            item.put("name", call.path("function").path("name").asText(""));
        }
        Long completedAt = end == FinishReasons.COMPLETE ? completedAtEpochSeconds : null;
        return ResponseObject.build(context, context.model(completion.path("model").asText(null)), end.status(),
                output, UsageTranslation.of(completion.get("usage")), null, end.incompleteReason(), completedAt);
    }

    private static JsonNode firstChoice(JsonNode choices) {
        for (JsonNode choice : choices) {
            if (choice.path("index").asInt(0) == 0) {
                return choice;
            }
        }
        return null;
    }
}
