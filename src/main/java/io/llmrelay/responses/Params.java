package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import java.util.Locale;

/**
 * Reading a Responses request the way OpenAI answers a bad one: every refusal is a 400
 * {@code invalid_request_error} whose {@code param} names the field ({@code input[2].content[0].type}),
 * with OpenAI's wording where OpenAI has one ("Invalid type for ...", "Missing required parameter").
 */
final class Params {
    private static final int MAX_ECHO = 64;

    private Params() {}

    /** A field that is absent or JSON null counts as not given, as the OpenAI SDKs treat it. */
    static JsonNode present(JsonNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value;
    }

    static String requiredText(JsonNode object, String field, String at) throws InvalidRequestException {
        JsonNode value = present(object, field);
        if (value == null) {
            throw missing(at);
        }
        if (!value.isTextual()) {
            throw wrongType(at, "a string", value);
        }
        return value.asText();
    }

    static String optionalText(JsonNode object, String field, String at) throws InvalidRequestException {
        JsonNode value = present(object, field);
        if (value == null) {
            return null;
        }
        if (!value.isTextual()) {
            throw wrongType(at, "a string", value);
        }
        return value.asText();
    }

    static ObjectNode object(JsonNode value, String at) throws InvalidRequestException {
        if (!value.isObject()) {
            throw wrongType(at, "an object", value);
        }
        return (ObjectNode) value;
    }

    static InvalidRequestException missing(String param) {
        return invalid(param, "Missing required parameter: '" + param + "'.");
    }

    static InvalidRequestException wrongType(String param, String expected, JsonNode actual) {
        return invalid(param, "Invalid type for '" + param + "': expected " + expected + ", but got "
                + describe(actual) + " instead.");
    }

    /** {@code Invalid value: 'x'. Supported values are: ...} for an enumerated field. */
    static InvalidRequestException unsupportedValue(String param, String value, String supported) {
        return invalid(param, "Invalid value for '" + param + "': '" + echo(value) + "'. " + supported);
    }

    static InvalidRequestException invalid(String param, String message) {
        return new InvalidRequestException(OpenAiError.invalidRequest(param, message));
    }

    /** Caller text quoted in an error, cut short: an error must not echo a huge value back. */
    static String echo(String text) {
        return text.length() <= MAX_ECHO ? text : text.substring(0, MAX_ECHO) + "...";
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }
}
