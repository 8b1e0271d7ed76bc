package io.llmrelay.responses;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.util.ArrayList;
import java.util.List;

/**
 * An assistant {@code message} output item streamed from chat {@code content} (an
 * {@code output_text} part) and {@code refusal} deltas (a {@code refusal} part). Events and
 * fields per https://developers.openai.com/api/reference/resources/responses/streaming-events:
 * {@code response.output_item.added} (content empty: the official clients append each
 * {@code response.content_part.added} part to it), then per part {@code content_part.added},
 * {@code output_text.delta}... or {@code refusal.delta}..., {@code output_text.done} or
 * {@code refusal.done}, {@code content_part.done}; last {@code response.output_item.done}.
 */
final class MessageItem implements OutputItem {
    enum Kind { TEXT, REFUSAL }

    private record Part(Kind kind, StringBuilder text) {
        ObjectNode json() {
            return kind == Kind.TEXT ? textPart(text.toString()) : refusalPart(text.toString());
        }
    }

    /** An {@code output_text} content part; {@code annotations} is required (the Vercel AI SDK checks it). */
    static ObjectNode textPart(String text) {
        ObjectNode part = Json.object();
        part.put("type", "output_text");
        part.putArray("annotations");
        part.putArray("logprobs");
        part.put("text", text);
        return part;
    }

    static ObjectNode refusalPart(String refusal) {
        ObjectNode part = Json.object();
        part.put("type", "refusal");
        part.put("refusal", refusal);
        return part;
    }

    private final String id;
    private final int outputIndex;
    private final List<Part> parts = new ArrayList<>();
    private boolean partOpen;
    private String closedStatus;

    private MessageItem(String id, int outputIndex) {
        this.id = id;
        this.outputIndex = outputIndex;
    }

    static MessageItem open(String id, int outputIndex, EventWriter events) {
        MessageItem item = new MessageItem(id, outputIndex);
        ObjectNode added = events.event("response.output_item.added");
        added.put("output_index", outputIndex);
        added.set("item", item.json(ResponseObject.IN_PROGRESS));
        events.emit(added);
        return item;
    }

    /** Text of {@code kind}: appended to the open part of that kind, or to a new part. */
    void append(Kind kind, String delta, EventWriter events) {
        Part part = partOpen ? parts.get(parts.size() - 1) : null;
        if (part == null || part.kind() != kind) {
            if (part != null) {
                closePart(events);
            }
            part = new Part(kind, new StringBuilder());
            parts.add(part);
            partOpen = true;
            events.emit(partEvent(events, "response.content_part.added", part));
        }
        part.text().append(delta);
        ObjectNode event = located(events.event(kind == Kind.TEXT ? "response.output_text.delta" : "response.refusal.delta"));
        event.put("delta", delta);
        if (kind == Kind.TEXT) {
            event.putArray("logprobs");
        }
        events.emit(event);
    }

    @Override
    public void close(EventWriter events, String status) {
        if (closed()) {
            return;
        }
        if (partOpen) {
            closePart(events);
        }
        closedStatus = status;
        ObjectNode done = events.event("response.output_item.done");
        done.put("output_index", outputIndex);
        done.set("item", json(status));
        events.emit(done);
    }

    private void closePart(EventWriter events) {
        Part part = parts.get(parts.size() - 1);
        partOpen = false;
        ObjectNode done;
        if (part.kind() == Kind.TEXT) {
            done = located(events.event("response.output_text.done"));
            done.put("text", part.text().toString());
            done.putArray("logprobs");
        } else {
            done = located(events.event("response.refusal.done"));
            done.put("refusal", part.text().toString());
        }
        events.emit(done);
        events.emit(partEvent(events, "response.content_part.done", part));
    }

    private ObjectNode partEvent(EventWriter events, String type, Part part) {
        ObjectNode event = located(events.event(type));
        event.set("part", part.json());
        return event;
    }

    /** item_id, output_index and content_index of the current part. */
    private ObjectNode located(ObjectNode event) {
        event.put("item_id", id);
        event.put("output_index", outputIndex);
        event.put("content_index", parts.size() - 1);
        return event;
    }

    @Override
    public int outputIndex() {
        return outputIndex;
    }

    @Override
    public boolean closed() {
        return closedStatus != null;
    }

    @Override
    public ObjectNode json(String statusIfOpen) {
        ObjectNode item = Json.object();
        item.put("id", id);
        item.put("type", "message");
        item.put("status", closed() ? closedStatus : statusIfOpen);
        ArrayNode content = item.putArray("content");
        for (Part part : parts) {
            content.add(part.json());
        }
        item.put("role", "assistant");
        return item;
    }
}
