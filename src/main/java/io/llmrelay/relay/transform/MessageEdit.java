package io.llmrelay.relay.transform;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.config.RouteTransform;
import io.llmrelay.config.SystemPrompt;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatCompletionRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The {@code messages} a route sends: the caller's, trimmed to the route's history budget, with
 * the route's system prompt put where its mode says. Every message the caller sent and the route
 * keeps is the caller's own text; only the route's prompt is new.
 */
final class MessageEdit {
    private MessageEdit() {}

    /** The new {@code messages} array as JSON text, or null when the route leaves the caller's as they are. */
    static String messages(RouteTransform transform, ChatCompletionRequest chat, Function<String, String> header) {
        if (transform.systemPrompt() == null && !transform.trimsHistory()) {
            return null;
        }
        JsonNode nodes = chat.field("messages");
        List<String> texts = chat.messageTexts();
        List<Integer> kept = transform.trimsHistory()
                ? HistoryTrim.keep(nodes, texts, transform.maxHistoryMessages(), transform.maxHistoryChars())
                : allOf(texts.size());
        SystemPrompt prompt = transform.systemPrompt();
        if (prompt == null && kept.size() == texts.size()) {
            return null;
        }
        List<String> out = new ArrayList<>(kept.size() + 1);
        if (prompt == null) {
            kept.forEach(i -> out.add(texts.get(i)));
        } else {
            String own = systemMessage(PromptRenderer.render(prompt.template(), chat, header));
            place(prompt.mode(), own, kept, nodes, texts, out);
        }
        return "[" + String.join(",", out) + "]";
    }

    /**
     * PREPEND: the route's prompt first. APPEND: after the caller's leading system and developer
     * messages (its instructions read first, then the route's, then the conversation). REPLACE:
     * the route's prompt first and no system or developer message of the caller's anywhere.
     */
    private static void place(SystemPrompt.Mode mode, String own, List<Integer> kept, JsonNode nodes,
            List<String> texts, List<String> out) {
        int insertAt = switch (mode) {
            case PREPEND, REPLACE -> 0;
            case APPEND -> leadingInstructions(kept, nodes);
        };
        for (int k = 0; k < kept.size(); k++) {
            if (k == insertAt) {
                out.add(own);
            }
            int i = kept.get(k);
            if (mode != SystemPrompt.Mode.REPLACE || !HistoryTrim.isInstruction(nodes.get(i))) {
                out.add(texts.get(i));
            }
        }
        if (insertAt == kept.size()) {
            out.add(own);
        }
    }

    /** How many of the kept messages, from the first, are system or developer messages. */
    private static int leadingInstructions(List<Integer> kept, JsonNode nodes) {
        int n = 0;
        while (n < kept.size() && HistoryTrim.isInstruction(nodes.get(kept.get(n)))) {
            n++;
        }
        return n;
    }

    private static String systemMessage(String content) {
        ObjectNode message = Json.object();
        message.put("role", "system");
        message.put("content", content);
        return Json.write(message);
    }

    private static List<Integer> allOf(int size) {
        List<Integer> all = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            all.add(i);
        }
        return all;
    }
}
