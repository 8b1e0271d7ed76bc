package io.llmrelay.cli.probe;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;

/** What one {@code data:} event of a chat completion stream is, as far as timing is concerned. */
enum EventKind {
    /** A chunk with a delta that carries text or tool calls: what a caller speaks or acts on. */
    CONTENT,
    /** Any other chunk: the role, finish_reason, usage, an empty delta. */
    CHUNK,
    /** {@code data: [DONE]}. */
    DONE,
    /** An {@code {"error": ...}} event. */
    ERROR,
    /** Data that is not a JSON object. */
    INVALID;

    /** The JSON name of this kind in {@code --json} output. */
    String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** A classified event; {@code errorMessage} is set for {@link #ERROR} only. */
    record Classified(EventKind kind, String errorMessage) {}

    static Classified classify(String data) {
        if (data.equals("[DONE]")) {
            return new Classified(DONE, null);
        }
        JsonNode json;
        try {
            json = Json.MAPPER.readTree(data);
        } catch (Exception e) {
            return new Classified(INVALID, null);
        }
        if (json == null || !json.isObject()) {
            return new Classified(INVALID, null);
        }
        if (json.has("error")) {
            return new Classified(ERROR, ErrorBodies.describe(json));
        }
        for (JsonNode choice : json.path("choices")) {
            JsonNode delta = choice.path("delta");
            JsonNode content = delta.path("content");
            if (content.isTextual() && !content.asText().isEmpty()) {
                return new Classified(CONTENT, null);
            }
            JsonNode toolCalls = delta.path("tool_calls");
            if (toolCalls.isArray() && !toolCalls.isEmpty()) {
                return new Classified(CONTENT, null);
            }
        }
        return new Classified(CHUNK, null);
    }
}
