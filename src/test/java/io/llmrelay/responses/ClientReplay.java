package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Replays Responses events the way the official npm client rebuilds a response from them
 * ({@code accumulateResponse}, openai 6.49.0 src/lib/responses/ResponseAccumulator.ts: items are
 * found by {@code output_index} among those added so far, content parts by {@code content_index},
 * and a delta for a part of the wrong type is an error), checking on the way the fields the Vercel
 * AI SDK's schema requires (@ai-sdk/openai 3.0.141 src/responses/openai-responses-api.ts). A stream
 * that breaks either client fails here with the event that breaks it.
 */
final class ClientReplay {
    private ObjectNode snapshot;
    private final Set<Integer> doneItems = new HashSet<>();
    private JsonNode terminal;
    private long nextSequence;

    /** Replays every event; returns the terminal event's response. */
    static JsonNode replay(List<JsonNode> events) {
        ClientReplay replay = new ClientReplay();
        for (JsonNode event : events) {
            replay.apply(event);
        }
        assertTrue(replay.terminal != null, "the stream has a terminal event");
        return replay.terminal;
    }

    private void apply(JsonNode event) {
        String type = event.path("type").asText();
        assertEquals(nextSequence++, event.path("sequence_number").asLong(), "sequence_number of " + event);
        assertTrue(terminal == null, "nothing after the terminal event: " + event);
        if (snapshot == null) {
            assertEquals("response.created", type, "a stream starts with response.created");
            JsonNode response = event.path("response");
            assertTrue(response.path("id").isTextual() && response.path("created_at").isNumber()
                    && response.path("model").isTextual(), "response.created needs id, created_at, model");
            snapshot = (ObjectNode) response.deepCopy();
            return;
        }
        ArrayNode output = (ArrayNode) snapshot.path("output");
        switch (type) {
            case "response.in_progress" -> snapshot = (ObjectNode) event.path("response").deepCopy();
            case "response.output_item.added" -> {
                assertEquals(output.size(), event.path("output_index").asInt(), "items are added in output order");
                JsonNode item = event.path("item");
                assertTrue(item.path("id").isTextual(), "an added item has an id");
                if (item.path("type").asText().equals("function_call")) {
                    for (String field : List.of("call_id", "name", "arguments")) {
                        assertTrue(item.path(field).isTextual(), "an added function call has " + field);
                    }
                    assertEquals("", item.path("arguments").asText());
                } else {
                    assertEquals(0, item.path("content").size(), "a message is added empty");
                }
                output.add(item.deepCopy());
            }
            case "response.content_part.added" -> {
                ObjectNode item = open(output, event, "message");
                assertEquals(item.path("content").size(), event.path("content_index").asInt(), "parts in order");
                ((ArrayNode) item.path("content")).add(event.path("part").deepCopy());
            }
            case "response.output_text.delta", "response.refusal.delta" -> {
                ObjectNode part = part(output, event, type.contains("refusal") ? "refusal" : "output_text");
                String field = type.contains("refusal") ? "refusal" : "text";
                assertTrue(event.path("delta").isTextual() && event.path("item_id").isTextual());
                part.put(field, part.path(field).asText() + event.path("delta").asText());
            }
            case "response.output_text.done" -> assertEquals(part(output, event, "output_text").path("text").asText(),
                    event.path("text").asText(), "output_text.done repeats the whole text");
            case "response.refusal.done" -> assertEquals(part(output, event, "refusal").path("refusal").asText(),
                    event.path("refusal").asText());
            case "response.content_part.done" -> assertEquals(part(output, event, event.path("part").path("type").asText()),
                    event.path("part"), "content_part.done repeats the part");
            case "response.function_call_arguments.delta" -> {
                ObjectNode item = open(output, event, "function_call");
                item.put("arguments", item.path("arguments").asText() + event.path("delta").asText());
            }
            case "response.function_call_arguments.done" -> {
                ObjectNode item = open(output, event, "function_call");
                assertEquals(item.path("arguments").asText(), event.path("arguments").asText());
                assertEquals(item.path("name").asText(), event.path("name").asText());
            }
            case "response.output_item.done" -> {
                int index = event.path("output_index").asInt();
                ObjectNode item = (ObjectNode) output.get(index).deepCopy();
                JsonNode done = event.path("item");
                assertTrue(List.of("completed", "incomplete").contains(done.path("status").asText()), "a done item's status");
                item.set("status", done.path("status"));
                assertEquals(item, done, "output_item.done is the item as the deltas built it");
                output.set(index, done.deepCopy());
                doneItems.add(index);
            }
            case "error" -> {
                assertTrue(event.path("message").isTextual() && event.path("error").path("message").isTextual()
                        && event.path("error").path("type").isTextual(), "both error forms: " + event);
            }
            case "response.completed", "response.incomplete", "response.failed" -> {
                JsonNode response = event.path("response");
                assertEquals(type.substring("response.".length()), response.path("status").asText());
                ArrayNode expected = output.deepCopy();
                for (int i = 0; i < expected.size(); i++) {
                    if (!doneItems.contains(i)) {
                        assertEquals("response.failed", type, "only a failed response leaves items open");
                        ((ObjectNode) expected.get(i)).put("status", "incomplete");
                    }
                }
                assertEquals(expected, response.path("output"), "the final output is what the events built");
                terminal = response;
            }
            default -> fail("an event type the clients do not expect here: " + event);
        }
    }

    /** The item an event points at: it exists, has the type, and is still open. */
    private ObjectNode open(ArrayNode output, JsonNode event, String type) {
        int index = event.path("output_index").asInt(-1);
        assertTrue(index >= 0 && index < output.size(), "missing output at index " + index + ": " + event);
        assertFalse(doneItems.contains(index), "an event for an item that is done: " + event);
        ObjectNode item = (ObjectNode) output.get(index);
        assertEquals(type, item.path("type").asText(), "item type for " + event);
        if (event.has("item_id")) {
            assertEquals(item.path("id").asText(), event.path("item_id").asText(), "item_id matches output_index");
        }
        return item;
    }

    private ObjectNode part(ArrayNode output, JsonNode event, String partType) {
        ArrayNode content = (ArrayNode) open(output, event, "message").path("content");
        int index = event.path("content_index").asInt(-1);
        assertTrue(index >= 0 && index < content.size(), "missing content at index " + index + ": " + event);
        assertEquals(partType, content.get(index).path("type").asText(), "part type for " + event);
        return (ObjectNode) content.get(index);
    }
}
