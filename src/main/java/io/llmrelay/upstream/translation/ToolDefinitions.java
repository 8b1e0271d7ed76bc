package io.llmrelay.upstream.translation;

import static io.llmrelay.upstream.translation.RequestParameters.invalid;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.upstream.translation.ChatRequest.Part;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code tools}, {@code tool_choice} and an assistant message's {@code tool_calls}
 * (https://platform.openai.com/docs/api-reference/chat/create#chat-create-tools):
 *
 * <pre>
 * tools[i]  {"type":"function","function":{name, description, parameters}} -> tool (strict is not translated)
 *           any other type                                                 -> 400 naming tools[i].type
 * tool_choice "auto" / "none" / "required" / {"type":"function","function":{"name"}}
 *                                                                          -> auto / no tool / any tool / named tool
 *           "required" or a named tool without tools                       -> 400 naming tool_choice
 * tool_calls[k] {id, function: {name, arguments}}                          -> tool use; arguments must be a JSON object
 * </pre>
 */
final class ToolDefinitions {
    private ToolDefinitions() {}

    static List<ChatRequest.Tool> tools(JsonNode body) throws InvalidRequestException {
        JsonNode tools = body.get("tools");
        if (tools == null || tools.isNull()) {
            return List.of();
        }
        if (!tools.isArray()) {
            throw invalid("tools", "Invalid type for 'tools': expected an array.");
        }
        List<ChatRequest.Tool> result = new ArrayList<>();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String at = "tools[" + i + "]";
            if (!tool.path("type").asText("").equals("function")) {
                throw invalid(at + ".type", "Only tools of type 'function' can be translated for this model.");
            }
            JsonNode function = tool.path("function");
            String name = function.path("name").asText("");
            if (name.isEmpty()) {
                throw invalid(at + ".function.name", "Missing required parameter: '" + at + ".function.name'.");
            }
            JsonNode description = function.get("description");
            JsonNode parameters = function.get("parameters");
            result.add(new ChatRequest.Tool(name, description != null && description.isTextual() ? description.asText() : null,
                    parameters != null && parameters.isObject() ? parameters : null));
        }
        return List.copyOf(result);
    }

    static ChatRequest.ToolChoice choice(JsonNode body) throws InvalidRequestException {
        JsonNode choice = body.get("tool_choice");
        if (choice == null || choice.isNull()) {
            return null;
        }
        boolean hasTools = body.path("tools").isArray() && !body.path("tools").isEmpty();
        ChatRequest.ToolChoice result;
        if (choice.isTextual()) {
            result = switch (choice.asText()) {
                case "auto" -> new ChatRequest.Auto();
                case "none" -> new ChatRequest.NoTool();
                case "required" -> new ChatRequest.AnyTool();
                default -> throw invalid("tool_choice", "Invalid value for 'tool_choice': expected auto, none, required"
                        + " or a named function.");
            };
        } else if (choice.path("type").asText("").equals("function") && choice.path("function").path("name").isTextual()) {
            result = new ChatRequest.NamedTool(choice.path("function").path("name").asText());
        } else {
            throw invalid("tool_choice", "Invalid value for 'tool_choice': expected auto, none, required or"
                    + " {\"type\": \"function\", \"function\": {\"name\": ...}}.");
        }
        if (!hasTools && (result instanceof ChatRequest.AnyTool || result instanceof ChatRequest.NamedTool)) {
            throw invalid("tool_choice", "'tool_choice' asks for a tool call, but the request has no tools.");
        }
        return result;
    }

    static List<Part> calls(JsonNode calls, String at) throws InvalidRequestException {
        List<Part> parts = new ArrayList<>();
        if (calls == null || calls.isNull()) {
            return parts;
        }
        if (!calls.isArray()) {
            throw invalid(at, "Invalid type for '" + at + "': expected an array.");
        }
        for (int k = 0; k < calls.size(); k++) {
            JsonNode call = calls.get(k);
            String callAt = at + "[" + k + "]";
            String id = call.path("id").asText("");
            String name = call.path("function").path("name").asText("");
            if (id.isEmpty()) {
                throw invalid(callAt + ".id", "Missing required parameter: '" + callAt + ".id'.");
            }
            if (name.isEmpty()) {
                throw invalid(callAt + ".function.name", "Missing required parameter: '" + callAt + ".function.name'.");
            }
            parts.add(new ChatRequest.ToolUse(id, name, arguments(call.path("function").get("arguments"),
                    callAt + ".function.arguments")));
        }
        return parts;
    }

    /** Both providers take tool input as a JSON object, not a string. */
    private static JsonNode arguments(JsonNode arguments, String at) throws InvalidRequestException {
        String text = arguments != null && arguments.isTextual() ? arguments.asText().strip() : "";
        if (text.isEmpty()) {
            return Json.object();
        }
        JsonNode parsed;
        try {
            parsed = Json.MAPPER.readTree(text);
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            throw invalid(at, "Invalid '" + at + "': the arguments must be a JSON object.");
        }
        return parsed;
    }
}
