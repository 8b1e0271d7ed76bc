package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;

/**
 * {@code tools} and {@code tool_choice} in chat's form. A Responses function tool is flat
 * ({@code {"type":"function","name","description","parameters","strict"}},
 * https://developers.openai.com/api/reference/resources/responses/methods/create, "tools");
 * chat nests the same fields under {@code function}
 * (https://platform.openai.com/docs/api-reference/chat/create, "tools"). Only function tools
 * translate: the others (web_search, file_search, mcp, code_interpreter, ...) are run by OpenAI's
 * own servers, which a chat upstream does not have.
 */
final class ToolTranslation {
    private ToolTranslation() {}

    static ArrayNode tools(JsonNode tools) throws InvalidRequestException {
        if (!tools.isArray()) {
            throw Params.wrongType("tools", "an array", tools);
        }
        ArrayNode chat = Json.MAPPER.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            chat.add(tool(tools.get(i), "tools[" + i + "]"));
        }
        return chat;
    }

    private static ObjectNode tool(JsonNode value, String at) throws InvalidRequestException {
        ObjectNode tool = Params.object(value, at);
        String type = Params.requiredText(tool, "type", at + ".type");
        if (!type.equals("function")) {
            throw Params.invalid(at + ".type", "Tools of type '" + Params.echo(type) + "' are not supported: the"
                    + " relay translates only function tools ('type': 'function'). Built-in tools run on OpenAI's"
                    + " servers, which the relay's chat upstreams do not have.");
        }
        ObjectNode function = Json.object();
        function.put("name", Params.requiredText(tool, "name", at + ".name"));
        String description = Params.optionalText(tool, "description", at + ".description");
        if (description != null) {
            function.put("description", description);
        }
        JsonNode parameters = Params.present(tool, "parameters");
        if (parameters != null) {
            function.set("parameters", Params.object(parameters, at + ".parameters"));
        }
        JsonNode strict = Params.present(tool, "strict");
        if (strict != null) {
            if (!strict.isBoolean()) {
                throw Params.wrongType(at + ".strict", "a boolean", strict);
            }
            function.set("strict", strict);
        }
        ObjectNode chat = Json.object();
        chat.put("type", "function");
        chat.set("function", function);
        return chat;
    }

    static JsonNode toolChoice(JsonNode choice) throws InvalidRequestException {
        if (choice.isTextual()) {
            String mode = choice.asText();
            if (mode.equals("auto") || mode.equals("none") || mode.equals("required")) {
                return TextNode.valueOf(mode);
            }
            throw Params.unsupportedValue("tool_choice", mode, "Supported values are: 'auto', 'none', 'required',"
                    + " or {\"type\": \"function\", \"name\": ...}.");
        }
        ObjectNode object = Params.object(choice, "tool_choice");
        String type = Params.requiredText(object, "type", "tool_choice.type");
        if (!type.equals("function")) {
            throw Params.unsupportedValue("tool_choice.type", type,
                    "The relay supports {\"type\": \"function\", \"name\": ...} and the modes 'auto', 'none', 'required'.");
        }
        ObjectNode chat = Json.object();
        chat.put("type", "function");
        chat.putObject("function").put("name", Params.requiredText(object, "name", "tool_choice.name"));
        return chat;
    }
}
