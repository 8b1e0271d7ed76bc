package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;

/**
 * A message's {@code content} in its chat form. Responses content is a string or a list of parts
 * ({@code input_text}, {@code input_image}; {@code output_text}, {@code refusal} in assistant
 * messages), per the input item types of
 * https://developers.openai.com/api/reference/resources/responses/methods/create.
 *
 * <p>A string stays a string, and so does a list holding a single text part: the plain string is
 * the one form every OpenAI-compatible server accepts for every role. Anything else becomes
 * chat's list of parts ({@code text}, {@code image_url}, {@code refusal}).
 */
final class ContentTranslation {
    /** Whose content: it decides which part types are allowed. TOOL is a function call's output. */
    enum Role { USER, SYSTEM, ASSISTANT, TOOL }

    private static final String USER_PARTS = "Supported content types in a user message: 'input_text', 'input_image'.";
    private static final String SYSTEM_PARTS = "Supported content types in a system or developer message: 'input_text'.";
    private static final String TOOL_PARTS = "Supported content types in a function call output: 'input_text'"
            + " (a chat tool message carries text only).";
    private static final String ASSISTANT_PARTS = "Supported content types in an assistant message: 'output_text',"
            + " 'input_text', 'refusal'.";

    private ContentTranslation() {}

    static JsonNode content(JsonNode content, Role role, String at) throws InvalidRequestException {
        if (content == null || content.isNull()) {
            throw Params.missing(at);
        }
        if (content.isTextual()) {
            return content;
        }
        if (!content.isArray()) {
            throw Params.wrongType(at, "a string or an array of content parts", content);
        }
        ArrayNode parts = Json.MAPPER.createArrayNode();
        for (int i = 0; i < content.size(); i++) {
            parts.add(part(content.get(i), role, at + "[" + i + "]"));
        }
        if (parts.size() == 1 && parts.get(0).path("type").asText().equals("text")) {
            return TextNode.valueOf(parts.get(0).path("text").asText());
        }
        return parts;
    }

    private static ObjectNode part(JsonNode value, Role role, String at) throws InvalidRequestException {
        ObjectNode part = Params.object(value, at);
        String type = Params.requiredText(part, "type", at + ".type");
        ObjectNode chat = Json.object();
        switch (type) {
            case "input_text" -> text(part, at, chat);
            case "output_text" -> {
                if (role != Role.ASSISTANT) {
                    throw refused(at, type, role);
                }
                text(part, at, chat);
            }
            case "refusal" -> {
                if (role != Role.ASSISTANT) {
                    throw refused(at, type, role);
                }
                chat.put("type", "refusal");
                chat.put("refusal", Params.requiredText(part, "refusal", at + ".refusal"));
            }
            case "input_image" -> {
                if (role != Role.USER) {
                    throw refused(at, type, role);
                }
                image(part, at, chat);
            }
            default -> throw refused(at, type, role);
        }
        return chat;
    }

    private static void text(ObjectNode part, String at, ObjectNode chat) throws InvalidRequestException {
        chat.put("type", "text");
        chat.put("text", Params.requiredText(part, "text", at + ".text"));
    }

    private static void image(ObjectNode part, String at, ObjectNode chat) throws InvalidRequestException {
        if (Params.present(part, "file_id") != null) {
            throw Params.invalid(at + ".file_id", "Images given by 'file_id' are not supported: a file id names a"
                    + " file stored by OpenAI, which the relay cannot fetch. Send 'image_url' (a URL or a data URL).");
        }
        String url = Params.requiredText(part, "image_url", at + ".image_url");
        chat.put("type", "image_url");
        ObjectNode image = chat.putObject("image_url");
        image.put("url", url);
        String detail = Params.optionalText(part, "detail", at + ".detail");
        if (detail != null) {
            image.put("detail", detail);
        }
    }

    private static InvalidRequestException refused(String at, String type, Role role) {
        String supported = switch (role) {
            case USER -> USER_PARTS;
            case SYSTEM -> SYSTEM_PARTS;
            case ASSISTANT -> ASSISTANT_PARTS;
            case TOOL -> TOOL_PARTS;
        };
        return Params.unsupportedValue(at + ".type", type, supported);
    }
}
