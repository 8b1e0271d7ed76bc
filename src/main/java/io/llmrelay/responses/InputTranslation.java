package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.responses.ContentTranslation.Role;

/**
 * {@code instructions} and {@code input} as chat {@code messages}, in order. Input items per
 * https://developers.openai.com/api/reference/resources/responses/methods/create:
 *
 * <pre>
 * Responses input item                               chat message
 * "text" (input as a string)                         {"role":"user","content":"text"}
 * instructions                                       {"role":"system", ...} first
 * {"role":"user", content}                           {"role":"user", content}
 * {"role":"system"|"developer", content}             {"role":"system", content}
 * {"role":"assistant", content}                      {"role":"assistant", content}
 * {"type":"function_call", call_id, name, arguments} a tool_calls entry of the assistant message
 *                                                    just before it, or of a new one
 * {"type":"function_call_output", call_id, output}   {"role":"tool","tool_call_id":call_id, content}
 * {"type":"item_reference"} and every other type      refused (400)
 * </pre>
 *
 * {@code developer} becomes {@code system}: OpenAI treats the two alike for the models that know
 * {@code developer} (https://platform.openai.com/docs/api-reference/chat/create, "messages"),
 * and OpenAI-compatible servers (vLLM, Ollama, llama.cpp) know only {@code system}.
 */
final class InputTranslation {
    private InputTranslation() {}

    static ArrayNode messages(JsonNode input, String instructions) throws InvalidRequestException {
        ArrayNode messages = Json.MAPPER.createArrayNode();
        if (instructions != null) {
            messages.addObject().put("role", "system").put("content", instructions);
        }
        if (input == null || input.isNull()) {
            throw Params.missing("input");
        }
        if (input.isTextual()) {
            messages.addObject().put("role", "user").put("content", input.asText());
            return messages;
        }
        if (!input.isArray()) {
            throw Params.wrongType("input", "a string or an array of input items", input);
        }
        for (int i = 0; i < input.size(); i++) {
            item(input.get(i), "input[" + i + "]", messages);
        }
        if (messages.isEmpty()) {
            throw Params.invalid("input", "Invalid 'input': empty array. Expected at least one input item.");
        }
        return messages;
    }

    private static void item(JsonNode value, String at, ArrayNode messages) throws InvalidRequestException {
        ObjectNode item = Params.object(value, at);
        String type = Params.optionalText(item, "type", at + ".type");
        switch (type == null ? "message" : type) {
            case "message" -> messages.add(message(item, at));
            case "function_call" -> functionCall(item, at, messages);
            case "function_call_output" -> messages.add(functionCallOutput(item, at));
            case "item_reference" -> throw Params.invalid(at, "Item references are not supported: the relay keeps"
                    + " no conversation state, so there is no stored item to refer to. Send the item itself"
                    + " (with the Vercel AI SDK: providerOptions.openai.store = false).");
            default -> throw Params.unsupportedValue(at + ".type", type,
                    "Supported input item types: 'message', 'function_call', 'function_call_output'.");
        }
    }

    private static ObjectNode message(ObjectNode item, String at) throws InvalidRequestException {
        String role = Params.requiredText(item, "role", at + ".role");
        Role kind = switch (role) {
            case "user" -> Role.USER;
            case "system", "developer" -> Role.SYSTEM;
            case "assistant" -> Role.ASSISTANT;
            default -> throw Params.unsupportedValue(at + ".role", role,
                    "Supported values are: 'user', 'assistant', 'system', 'developer'.");
        };
        ObjectNode message = Json.object();
        message.put("role", kind == Role.SYSTEM ? "system" : role);
        message.set("content", ContentTranslation.content(item.get("content"), kind, at + ".content"));
        return message;
    }

    /** Calls made in one turn share one assistant message, as chat expects them. */
    private static void functionCall(ObjectNode item, String at, ArrayNode messages) throws InvalidRequestException {
        ObjectNode call = Json.object();
        call.put("id", Params.requiredText(item, "call_id", at + ".call_id"));
        call.put("type", "function");
        ObjectNode function = call.putObject("function");
        function.put("name", Params.requiredText(item, "name", at + ".name"));
        function.put("arguments", Params.requiredText(item, "arguments", at + ".arguments"));
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        ObjectNode assistant;
        if (last != null && last.path("role").asText().equals("assistant")) {
            assistant = (ObjectNode) last;
        } else {
            // content null, as OpenAI itself returns an assistant message that only calls tools
            assistant = messages.addObject().put("role", "assistant").putNull("content");
        }
        JsonNode calls = assistant.get("tool_calls");
        (calls == null ? assistant.putArray("tool_calls") : (ArrayNode) calls).add(call);
    }

    private static ObjectNode functionCallOutput(ObjectNode item, String at) throws InvalidRequestException {
        ObjectNode message = Json.object();
        message.put("role", "tool");
        message.put("tool_call_id", Params.requiredText(item, "call_id", at + ".call_id"));
        JsonNode output = item.get("output");
        if (output != null && output.isArray()) {
            message.set("content", ContentTranslation.content(output, Role.TOOL, at + ".output"));
        } else {
            message.put("content", Params.requiredText(item, "output", at + ".output"));
        }
        return message;
    }
}
