package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;

/**
 * The Response object ("The Response object",
 * https://developers.openai.com/api/reference/resources/responses/methods/create), in the field
 * order OpenAI sends it. It has no {@code output_text}: that is an SDK-only convenience the
 * official clients compute from {@code output} (openai npm 6.49.0, {@code addOutputText} in
 * src/lib/ResponsesParser.ts), not a field on the wire. {@code store} is false: nothing is kept.
 */
final class ResponseObject {
    static final String IN_PROGRESS = "in_progress";
    static final String COMPLETED = "completed";
    static final String INCOMPLETE = "incomplete";
    static final String FAILED = "failed";

    private ResponseObject() {}

    /**
     * @param usage            Responses usage, or null when the upstream reported none
     * @param error            {@code {"code","message"}} for a failed response, else null
     * @param incompleteReason {@code max_output_tokens} or {@code content_filter} for an incomplete one, else null
     * @param completedAt      epoch seconds, set only for a completed response (as the reference says)
     */
    static ObjectNode build(ResponseContext context, String model, String status, ArrayNode output,
            JsonNode usage, ObjectNode error, String incompleteReason, Long completedAt) {
        ObjectNode echo = context.echo();
        ObjectNode response = Json.object();
        response.put("id", context.responseId());
        response.put("object", "response");
        response.put("created_at", context.createdAt());
        response.put("status", status);
        response.put("background", false);
        if (completedAt != null) {
            response.put("completed_at", completedAt);
        }
        response.set("error", error);
        if (incompleteReason != null) {
            response.putObject("incomplete_details").put("reason", incompleteReason);
        } else {
            response.putNull("incomplete_details");
        }
        response.set("instructions", echo.get("instructions"));
        response.set("max_output_tokens", echo.get("max_output_tokens"));
        response.put("model", model);
        response.set("output", output);
        response.set("parallel_tool_calls", echo.get("parallel_tool_calls"));
        response.putNull("previous_response_id");
        response.set("reasoning", echo.get("reasoning"));
        response.put("store", false);
        response.set("temperature", echo.get("temperature"));
        response.set("text", echo.get("text"));
        response.set("tool_choice", echo.get("tool_choice"));
        response.set("tools", echo.get("tools"));
        response.set("top_p", echo.get("top_p"));
        response.put("truncation", "disabled");
        response.set("usage", usage);
        response.set("user", echo.get("user"));
        response.set("metadata", echo.get("metadata"));
        return response;
    }

    /** A failed response's {@code error}: {@code {"code","message"}}, the reference's ResponseError. */
    static ObjectNode error(String code, String message) {
        ObjectNode error = Json.object();
        error.put("code", code);
        error.put("message", message);
        return error;
    }
}
