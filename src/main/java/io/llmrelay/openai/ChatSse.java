package io.llmrelay.openai;

import java.nio.charset.StandardCharsets;

/**
 * The Server-Sent Events a chat completion stream is written as
 * (https://platform.openai.com/docs/api-reference/chat-streaming): {@code data: <chunk>\n\n} per
 * chunk, {@code data: [DONE]\n\n} at the end, and {@code data: {"error":{...}}\n\n} (followed by
 * {@code [DONE]}) for a failure once the stream has begun, which the official OpenAI SDKs raise as
 * an APIError.
 */
public final class ChatSse {
    public static final String DONE_DATA = "[DONE]";

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);

    private ChatSse() {}

    /** A fresh copy of {@code data: [DONE]\n\n} (a copy, so no caller can corrupt the shared bytes). */
    public static byte[] done() {
        return DONE.clone();
    }

    /** {@code data: {"error":{...}}\n\n}, how OpenAI reports a failure once a stream has begun. */
    public static byte[] errorEvent(OpenAiError error) {
        return frame(new String(error.toJson(), StandardCharsets.UTF_8));
    }

    /**
     * One SSE event carrying {@code data}: for a chunk (one line of JSON) exactly
     * {@code "data: " + data + "\n\n"}; each line of a multi-line payload gets its own
     * {@code data:} field.
     */
    public static byte[] frame(String data) {
        if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
            byte[] payload = data.getBytes(StandardCharsets.UTF_8);
            byte[] event = new byte[PREFIX.length + payload.length + 2];
            System.arraycopy(PREFIX, 0, event, 0, PREFIX.length);
            System.arraycopy(payload, 0, event, PREFIX.length, payload.length);
            event[event.length - 2] = '\n';
            event[event.length - 1] = '\n';
            return event;
        }
        StringBuilder event = new StringBuilder(data.length() + 16);
        for (String line : data.split("\r\n|\r|\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }
}
