package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.openai.OpenAiError;

/**
 * An upstream error inside a 200 stream ({@code {"error":{...}}} or {@code {"error":"..."}}, the
 * two forms the relay's chat path recognises too), read leniently: providers omit {@code type} or
 * send {@code code} as a number. It has no HTTP status of its own: the upstream failing, hence 502.
 */
final class UpstreamErrors {
    static final int IN_STREAM_STATUS = 502;

    private UpstreamErrors() {}

    /** The chunk's error, or null when it is an ordinary chunk. */
    static OpenAiError inChunk(JsonNode chunk) {
        JsonNode error = chunk.get("error");
        if (error == null) {
            return null;
        }
        if (error.isTextual()) {
            return new OpenAiError(IN_STREAM_STATUS, error.asText(), OpenAiError.API_ERROR, null, null);
        }
        if (!error.isObject()) {
            return null;
        }
        JsonNode message = error.get("message");
        String text = message != null && message.isTextual() ? message.asText()
                : "The upstream reported an error without a message.";
        String type = scalar(error.get("type"));
        return new OpenAiError(IN_STREAM_STATUS, text, type != null ? type : OpenAiError.API_ERROR,
                scalar(error.get("param")), scalar(error.get("code")));
    }

    private static String scalar(JsonNode node) {
        return node != null && node.isValueNode() && !node.isNull() ? node.asText() : null;
    }
}
