package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;

/**
 * The request fields a Response object repeats ("The Response object",
 * https://developers.openai.com/api/reference/resources/responses/methods/create: {@code instructions},
 * {@code tools}, {@code tool_choice}, {@code temperature}, ... are required fields of it), each
 * as the caller sent it or, when absent, as OpenAI reports the default. Sampling values the
 * caller did not set are null: the upstream's defaults are not known here.
 */
final class RequestEcho {
    private RequestEcho() {}

    static ObjectNode of(ObjectNode body) {
        ObjectNode echo = Json.object();
        copy(body, echo, "instructions", null);
        copy(body, echo, "max_output_tokens", null);
        copy(body, echo, "metadata", Json.object());
        copy(body, echo, "parallel_tool_calls", Json.MAPPER.getNodeFactory().booleanNode(true));
        copy(body, echo, "reasoning", null);
        copy(body, echo, "temperature", null);
        ObjectNode text = Json.object();
        text.putObject("format").put("type", "text");
        copy(body, echo, "text", text);
        copy(body, echo, "tool_choice", Json.MAPPER.getNodeFactory().textNode("auto"));
        copy(body, echo, "tools", Json.MAPPER.createArrayNode());
        copy(body, echo, "top_p", null);
        copy(body, echo, "user", null);
        return echo;
    }

    private static void copy(ObjectNode body, ObjectNode echo, String field, JsonNode fallback) {
        JsonNode value = Params.present(body, field);
        if (value != null) {
            echo.set(field, value.deepCopy());
        } else if (fallback != null) {
            echo.set(field, fallback);
        } else {
            echo.putNull(field);
        }
    }
}
