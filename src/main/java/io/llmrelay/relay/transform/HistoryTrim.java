package io.llmrelay.relay.transform;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;

/**
 * Which messages a history budget keeps: every system and developer message (the instructions,
 * never counted), and of the others the newest, as many as fit in {@code maxMessages} messages
 * and {@code maxChars} characters. Messages are kept in whole turns: an assistant message with
 * {@code tool_calls} and the {@code tool} messages that answer it (which follow it) are kept or
 * dropped together, since a tool result without its call, or a call without its results, is a
 * request the upstream refuses. The newest turn is always kept, over budget or not: without it
 * there is nothing to answer. Kept messages stay in their order and form an unbroken run of the
 * newest turns (no older turn is kept once a newer one did not fit).
 *
 * <p>A message's size is the length of its JSON text as the caller wrote it: everything it sends
 * counts, image data and tool arguments included.
 */
final class HistoryTrim {
    private HistoryTrim() {}

    /**
     * @param messages  the request's messages
     * @param texts     each message's JSON text
     * @param maxMessages 0 = no limit on the count
     * @param maxChars  0 = no limit on the size
     * @return the indexes of the messages kept, ascending
     */
    static List<Integer> keep(JsonNode messages, List<String> texts, int maxMessages, long maxChars) {
        List<List<Integer>> turns = turns(messages);
        boolean[] keep = new boolean[texts.size()];
        for (int i = 0; i < texts.size(); i++) {
            keep[i] = isInstruction(messages.get(i));
        }
        long count = 0;
        long chars = 0;
        for (int t = turns.size() - 1; t >= 0; t--) {
            List<Integer> turn = turns.get(t);
            long turnChars = turn.stream().mapToLong(i -> texts.get(i).length()).sum();
            boolean newest = t == turns.size() - 1;
            if (!newest && ((maxMessages > 0 && count + turn.size() > maxMessages)
                    || (maxChars > 0 && chars + turnChars > maxChars))) {
                break;
            }
            count += turn.size();
            chars += turnChars;
            turn.forEach(i -> keep[i] = true);
        }
        List<Integer> kept = new ArrayList<>();
        for (int i = 0; i < keep.length; i++) {
            if (keep[i]) {
                kept.add(i);
            }
        }
        return kept;
    }

    /**
     * The messages other than instructions, in turns: one message each, except an assistant
     * message with tool calls, which takes the tool messages after it (instructions between them
     * are not part of any turn and do not end it).
     */
    static List<List<Integer>> turns(JsonNode messages) {
        List<List<Integer>> turns = new ArrayList<>();
        List<Integer> open = null; // a tool-calling turn still taking tool results
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            if (isInstruction(message)) {
                continue;
            }
            if (open != null && "tool".equals(role(message))) {
                open.add(i);
                continue;
            }
            List<Integer> turn = new ArrayList<>();
            turn.add(i);
            turns.add(turn);
            open = callsTools(message) ? turn : null;
        }
        return turns;
    }

    /** A system or developer message: the caller's instructions. */
    static boolean isInstruction(JsonNode message) {
        String role = role(message);
        return "system".equals(role) || "developer".equals(role);
    }

    static boolean callsTools(JsonNode message) {
        JsonNode calls = message.get("tool_calls");
        return "assistant".equals(role(message)) && calls != null && calls.isArray() && !calls.isEmpty();
    }

    private static String role(JsonNode message) {
        return message.path("role").asText(null);
    }
}
