package io.llmrelay.cli.probe;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.nio.charset.StandardCharsets;

/**
 * The message in an error answer, as one line: OpenAI's {@code {"error":{"message","type","param","code"}}},
 * the bare {@code {"error":"..."}} some servers send, the {@code {"Message":...}} of AWS front
 * ends (a Function URL's 403), or else the start of the body as text.
 */
final class ErrorBodies {
    private static final int MAX_CHARS = 300;

    private ErrorBodies() {}

    /** The message of an error body; {@code body} may be empty or not JSON at all. */
    static String describe(byte[] body) {
        String text = new String(body, StandardCharsets.UTF_8).strip();
        if (text.isEmpty()) {
            return "(empty body)";
        }
        try {
            JsonNode json = Json.MAPPER.readTree(text);
            if (json != null && json.isObject()) {
                String described = describe(json);
                if (described != null) {
                    return described;
                }
            }
        } catch (Exception notJson) {
            // fall through to the text itself
        }
        return oneLine(text);
    }

    /** {@code code: message} from an error object, or null when it holds none of the known shapes. */
    static String describe(JsonNode json) {
        JsonNode error = json.path("error");
        if (error.isTextual()) {
            return oneLine(error.asText());
        }
        if (error.isObject()) {
            String code = text(error.path("code"));
            if (code == null) {
                code = text(error.path("type"));
            }
            String message = text(error.path("message"));
            String both = code == null ? message : message == null ? code : code + ": " + message;
            return both == null ? oneLine(error.toString()) : oneLine(both);
        }
        for (String field : new String[] {"message", "Message"}) {
            String message = text(json.path(field));
            if (message != null) {
                return oneLine(message);
            }
        }
        return null;
    }

    private static String text(JsonNode node) {
        if (node.isTextual() && !node.asText().isBlank()) {
            return node.asText();
        }
        return node.isNumber() ? node.asText() : null;
    }

    private static String oneLine(String text) {
        String line = text.replaceAll("[\\s\\p{Cntrl}]+", " ").strip();
        return line.length() <= MAX_CHARS ? line : line.substring(0, MAX_CHARS) + "...";
    }
}
