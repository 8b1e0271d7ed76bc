package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ResponsesStream.Sink} that keeps every write, and reads them back with the relay's
 * strict SSE reader: each event's {@code event:} field must equal its payload's {@code type}.
 */
final class RecordedEvents implements ResponsesStream.Sink {
    private final List<byte[]> writes = new ArrayList<>();

    @Override
    public void write(byte[] events) {
        writes.add(events.clone());
    }

    int writeCount() {
        return writes.size();
    }

    /** The events of write {@code index}. */
    List<JsonNode> write(int index) {
        return parse(writes.get(index));
    }

    /** Every event so far, in order. */
    List<JsonNode> all() {
        List<JsonNode> events = new ArrayList<>();
        for (byte[] write : writes) {
            events.addAll(parse(write));
        }
        return events;
    }

    List<String> types() {
        return all().stream().map(event -> event.path("type").asText()).toList();
    }

    static List<JsonNode> parse(byte[] bytes) {
        List<JsonNode> events = new ArrayList<>();
        try (SseReader reader = new SseReader(new ByteArrayInputStream(bytes))) {
            SseEvent event;
            while ((event = reader.next()) != null) {
                JsonNode payload = Json.MAPPER.readTree(event.data());
                assertNotNull(event.event(), "every event names its type: " + event.data());
                assertEquals(event.event(), payload.path("type").asText(), "event: and type agree");
                events.add(payload);
            }
        } catch (IOException e) {
            throw new AssertionError("the events are not well-formed SSE: " + e, e);
        }
        return events;
    }
}
