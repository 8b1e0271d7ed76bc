package io.llmrelay.relay.transform;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.PromptTemplate;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatCompletionRequest;
import java.util.List;
import java.util.function.Function;

/**
 * A route's system prompt with the request's values in it. One pass over the template's parts:
 * a value is inserted as text and never read again, so a value holding {@code {{...}}} or JSON
 * stays exactly that. A missing value (no such field or header, JSON null, or empty text) is the
 * variable's default, or nothing; never the braces.
 */
final class PromptRenderer {
    private PromptRenderer() {}

    static String render(PromptTemplate template, ChatCompletionRequest chat, Function<String, String> header) {
        StringBuilder out = new StringBuilder();
        for (PromptTemplate.Part part : template.parts()) {
            switch (part) {
                case PromptTemplate.Text text -> out.append(text.text());
                case PromptTemplate.Variable variable -> {
                    String value = variable.header() ? header.apply(variable.path().get(0)) : bodyValue(chat, variable.path());
                    out.append(value == null || value.isEmpty() ? variable.fallback() : value);
                }
            }
        }
        return out.toString();
    }

    /** The field at {@code path} as text: strings as they are, anything else as its JSON; null when missing. */
    private static String bodyValue(ChatCompletionRequest chat, List<String> path) {
        JsonNode node = chat.field(path.get(0));
        for (int i = 1; i < path.size() && node != null; i++) {
            node = child(node, path.get(i));
        }
        if (node == null || node.isNull() || node.isMissingNode()) {
            return null;
        }
        return node.isTextual() ? node.textValue() : Json.write(node);
    }

    private static JsonNode child(JsonNode node, String segment) {
        if (node.isObject()) {
            return node.get(segment);
        }
        if (node.isArray() && !segment.isEmpty() && segment.chars().allMatch(Character::isDigit) && segment.length() < 10) {
            return node.get(Integer.parseInt(segment));
        }
        return null;
    }
}
