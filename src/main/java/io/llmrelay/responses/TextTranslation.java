package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.openai.InvalidRequestException;

/**
 * {@code text} (https://developers.openai.com/api/reference/resources/responses/methods/create,
 * "text"): {@code format} becomes chat's {@code response_format}, where the JSON schema fields
 * that Responses keeps flat ({@code name}, {@code schema}, {@code description}, {@code strict})
 * move under {@code json_schema}; {@code verbosity} is chat's {@code verbosity}.
 */
final class TextTranslation {
    private TextTranslation() {}

    static void apply(JsonNode text, ObjectNode chat) throws InvalidRequestException {
        ObjectNode config = Params.object(text, "text");
        JsonNode format = Params.present(config, "format");
        if (format != null) {
            format(Params.object(format, "text.format"), chat);
        }
        String verbosity = Params.optionalText(config, "verbosity", "text.verbosity");
        if (verbosity != null) {
            chat.put("verbosity", verbosity);
        }
    }

    private static void format(ObjectNode format, ObjectNode chat) throws InvalidRequestException {
        String type = Params.requiredText(format, "type", "text.format.type");
        switch (type) {
            case "text" -> { } // chat's default
            case "json_object" -> chat.putObject("response_format").put("type", "json_object");
            case "json_schema" -> {
                ObjectNode responseFormat = chat.putObject("response_format");
                responseFormat.put("type", "json_schema");
                ObjectNode schema = responseFormat.putObject("json_schema");
                schema.put("name", Params.requiredText(format, "name", "text.format.name"));
                String description = Params.optionalText(format, "description", "text.format.description");
                if (description != null) {
                    schema.put("description", description);
                }
                JsonNode body = Params.present(format, "schema");
                if (body == null) {
                    throw Params.missing("text.format.schema");
                }
                schema.set("schema", Params.object(body, "text.format.schema"));
                JsonNode strict = Params.present(format, "strict");
                if (strict != null) {
                    if (!strict.isBoolean()) {
                        throw Params.wrongType("text.format.strict", "a boolean", strict);
                    }
                    schema.set("strict", strict);
                }
            }
            default -> throw Params.unsupportedValue("text.format.type", type,
                    "Supported values are: 'text', 'json_object', 'json_schema'.");
        }
    }
}
