package io.llmrelay.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Frames Responses stream events as Server-Sent Events, {@code event: <type>\ndata: <json>\n\n}
 * (the SSE {@code event} field repeats the payload's {@code type}, as OpenAI sends it), numbering
 * them with {@code sequence_number} from 0 up by one. Events are collected until {@link #drain()},
 * so that everything one upstream chunk causes leaves in one write. Jackson escapes every line
 * break inside JSON strings, so a payload is always one {@code data:} line.
 */
final class EventWriter {
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream(512);
    private long sequence;

    /** A new event of {@code type}, numbered; fill it, then {@link #emit} it. */
    ObjectNode event(String type) {
        ObjectNode event = Json.object();
        event.put("type", type);
        event.put("sequence_number", sequence++);
        return event;
    }

    void emit(ObjectNode event) {
        write("event: ");
        write(event.get("type").asText());
        write("\ndata: ");
        pending.writeBytes(Json.writeBytes(event));
        write("\n\n");
    }

    /** The events emitted since the last drain; empty when there were none. */
    byte[] drain() {
        byte[] bytes = pending.toByteArray();
        pending.reset();
        return bytes;
    }

    private void write(String text) {
        pending.writeBytes(text.getBytes(StandardCharsets.UTF_8));
    }
}
