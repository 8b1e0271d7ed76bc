package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The input promise over many generated conversations (messages of every role with string or
 * part-list content, function calls alone or in parallel groups, their outputs as strings or text
 * parts, instructions or none): the chat messages say the same things in the same order. Each
 * side is flattened to a list of facts ("user: text", "call id name args", "output id text") and
 * the lists must be equal; and every tool message answers a call made earlier by an assistant
 * message, as chat requires.
 */
class InputTranslationPropertyTest {
    private static final int CONVERSATIONS = 500;
    private static final String[] ROLES = {"user", "assistant", "system", "developer"};
    private static final String[] TEXTS = {"hi", "", "wörld 😀", "\"quoted\"", "line\nbreak", "{\"json\":1}"};

    @Test
    void everyGeneratedConversationKeepsItsOrderAndContent() throws Exception {
        for (int seed = 0; seed < CONVERSATIONS; seed++) {
            Random random = new Random(seed);
            ObjectNode body = Json.object();
            List<String> expected = new ArrayList<>();
            if (random.nextBoolean()) {
                String instructions = TEXTS[random.nextInt(TEXTS.length)];
                body.put("instructions", instructions);
                expected.add("system: " + instructions);
            }
            body.set("input", generate(random, expected));
            ResponsesRequest request = ResponsesRequest.parse(Json.writeBytes(body));
            JsonNode messages = request.chatRequest().path("messages");
            assertEquals(expected, flatten(messages), "conversation from seed " + seed + ": " + body);
            assertToolMessagesAnswerEarlierCalls(messages, seed);
        }
    }

    private static ArrayNode generate(Random random, List<String> expected) {
        ArrayNode input = Json.MAPPER.createArrayNode();
        int items = 1 + random.nextInt(10);
        int calls = 0;
        for (int i = 0; i < items; i++) {
            if (random.nextInt(3) > 0) {
                message(random, input, expected);
                continue;
            }
            int group = 1 + random.nextInt(3); // parallel calls, then their outputs
            List<String> ids = new ArrayList<>();
            for (int g = 0; g < group; g++) {
                String id = "call_" + calls++;
                String name = "f" + random.nextInt(5);
                String arguments = "{\"n\":" + random.nextInt(100) + "}";
                ids.add(id);
                input.addObject().put("type", "function_call").put("call_id", id).put("name", name).put("arguments", arguments);
                expected.add("call " + id + " " + name + " " + arguments);
            }
            for (String id : ids) {
                String text = TEXTS[random.nextInt(TEXTS.length)];
                ObjectNode output = input.addObject().put("type", "function_call_output").put("call_id", id);
                if (random.nextBoolean()) {
                    output.put("output", text);
                } else {
                    output.putArray("output").addObject().put("type", "input_text").put("text", text);
                }
                expected.add("output " + id + " " + text);
            }
        }
        return input;
    }

    private static void message(Random random, ArrayNode input, List<String> expected) {
        String role = ROLES[random.nextInt(ROLES.length)];
        String text = TEXTS[random.nextInt(TEXTS.length)];
        ObjectNode item = input.addObject();
        if (random.nextBoolean()) {
            item.put("type", "message");
        }
        item.put("role", role);
        if (random.nextBoolean()) {
            item.put("content", text);
        } else {
            item.putArray("content").addObject().put("type", role.equals("assistant") ? "output_text" : "input_text")
                    .put("text", text);
        }
        expected.add((role.equals("developer") ? "system" : role) + ": " + text);
    }

    /** The chat messages as facts, in order. */
    private static List<String> flatten(JsonNode messages) {
        List<String> facts = new ArrayList<>();
        for (JsonNode message : messages) {
            String role = message.path("role").asText();
            JsonNode content = message.path("content");
            if (role.equals("tool")) {
                facts.add("output " + message.path("tool_call_id").asText() + " " + text(content));
                continue;
            }
            if (!content.isNull()) {
                facts.add(role + ": " + text(content));
            }
            for (JsonNode call : message.path("tool_calls")) {
                facts.add("call " + call.path("id").asText() + " " + call.path("function").path("name").asText() + " "
                        + call.path("function").path("arguments").asText());
            }
        }
        return facts;
    }

    private static String text(JsonNode content) {
        if (content.isTextual()) {
            return content.asText();
        }
        StringBuilder text = new StringBuilder();
        for (JsonNode part : content) {
            text.append(part.path("text").asText());
        }
        return text.toString();
    }

    private static void assertToolMessagesAnswerEarlierCalls(JsonNode messages, int seed) {
        Set<String> called = new HashSet<>();
        for (JsonNode message : messages) {
            for (JsonNode call : message.path("tool_calls")) {
                assertEquals("assistant", message.path("role").asText(), "seed " + seed);
                called.add(call.path("id").asText());
            }
            if (message.path("role").asText().equals("tool")) {
                assertTrue(called.contains(message.path("tool_call_id").asText()),
                        "seed " + seed + ": a tool message answers an earlier call");
            }
        }
    }
}
