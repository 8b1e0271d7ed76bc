package io.llmrelay.testing;

import io.llmrelay.json.Json;

/**
 * Anthropic Messages stream events, as the streaming reference shows them
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming): each an SSE event whose
 * {@code event:} name repeats the {@code type} in its JSON {@code data}.
 */
public final class AnthropicSse {
    public static final String CONTENT_TYPE = "text/event-stream; charset=utf-8";

    private AnthropicSse() {}

    public static String event(String type, String json) {
        return "event: " + type + "\ndata: " + json + "\n\n";
    }

    public static String messageStart(int inputTokens) {
        return event("message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_01XFDUDYJgAACzvnptvVoYEL\","
                + "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5\","
                + "\"stop_reason\":null,\"stop_sequence\":null,\"usage\":{\"input_tokens\":" + inputTokens
                + ",\"output_tokens\":1}}}");
    }

    public static String textStart(int index) {
        return event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
                + ",\"content_block\":{\"type\":\"text\",\"text\":\"\"}}");
    }

    public static String textDelta(int index, String text) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"text_delta\",\"text\":" + Json.write(text) + "}}");
    }

    public static String toolStart(int index, String id, String name) {
        return event("content_block_start", "{\"type\":\"content_block_start\",\"index\":" + index
                + ",\"content_block\":{\"type\":\"tool_use\",\"id\":\"" + id + "\",\"name\":\"" + name + "\",\"input\":{}}}");
    }

    public static String inputJson(int index, String partialJson) {
        return event("content_block_delta", "{\"type\":\"content_block_delta\",\"index\":" + index
                + ",\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":" + Json.write(partialJson) + "}}");
    }

    public static String blockStop(int index) {
        return event("content_block_stop", "{\"type\":\"content_block_stop\",\"index\":" + index + "}");
    }

    public static String messageDelta(String stopReason, int outputTokens) {
        return event("message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"" + stopReason
                + "\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":" + outputTokens + "}}");
    }

    public static String messageStop() {
        return event("message_stop", "{\"type\":\"message_stop\"}");
    }

    public static String ping() {
        return event("ping", "{\"type\": \"ping\"}");
    }

    public static String error(String type, String message) {
        return event("error", "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + Json.write(message) + "}}");
    }

    /** A whole answer of one text block in the given pieces, ending with {@code stopReason}. */
    public static String text(int inputTokens, int outputTokens, String stopReason, String... pieces) {
        StringBuilder sse = new StringBuilder(messageStart(inputTokens)).append(textStart(0)).append(ping());
        for (String piece : pieces) {
            sse.append(textDelta(0, piece));
        }
        return sse.append(blockStop(0)).append(messageDelta(stopReason, outputTokens)).append(messageStop()).toString();
    }

    /** An error body as the errors reference shows it (https://docs.anthropic.com/en/api/errors). */
    public static String errorBody(String type, String message) {
        return "{\"type\":\"error\",\"error\":{\"type\":\"" + type + "\",\"message\":" + Json.write(message)
                + "},\"request_id\":\"req_011CSHoEeqs5C35K2UUqR7Fy\"}";
    }
}
