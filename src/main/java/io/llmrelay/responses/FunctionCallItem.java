package io.llmrelay.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;

/**
 * A {@code function_call} output item streamed from one chat tool call: added with its
 * {@code call_id} and {@code name} and empty {@code arguments} (the Vercel AI SDK requires all
 * three on {@code response.output_item.added}: @ai-sdk/openai 3.0.141,
 * src/responses/openai-responses-api.ts), then {@code response.function_call_arguments.delta} per
 * argument piece, {@code response.function_call_arguments.done} with the whole arguments, and
 * {@code response.output_item.done} (https://developers.openai.com/api/reference/resources/responses/streaming-events).
 */
final class FunctionCallItem implements OutputItem {
    private final String id;
    private final int outputIndex;
    private final String callId;
    private final String name;
    private final StringBuilder arguments = new StringBuilder();
    private String closedStatus;

    private FunctionCallItem(String id, int outputIndex, String callId, String name) {
        this.id = id;
        this.outputIndex = outputIndex;
        this.callId = callId;
        this.name = name;
    }

    static FunctionCallItem open(String id, int outputIndex, String callId, String name, EventWriter events) {
        FunctionCallItem item = new FunctionCallItem(id, outputIndex, callId, name);
        ObjectNode added = events.event("response.output_item.added");
        added.put("output_index", outputIndex);
        added.set("item", item.json(ResponseObject.IN_PROGRESS));
        events.emit(added);
        return item;
    }

    void appendArguments(String delta, EventWriter events) {
        arguments.append(delta);
        ObjectNode event = events.event("response.function_call_arguments.delta");
        event.put("item_id", id);
        event.put("output_index", outputIndex);
        event.put("delta", delta);
        events.emit(event);
    }

    @Override
    public void close(EventWriter events, String status) {
        if (closed()) {
            return;
        }
        closedStatus = status;
        ObjectNode done = events.event("response.function_call_arguments.done");
        done.put("item_id", id);
        done.put("output_index", outputIndex);
        done.put("name", name);
        done.put("arguments", arguments.toString());
        events.emit(done);
        ObjectNode itemDone = events.event("response.output_item.done");
        itemDone.put("output_index", outputIndex);
        itemDone.set("item", json(status));
        events.emit(itemDone);
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
        item.put("type", "function_call");
        item.put("status", closed() ? closedStatus : statusIfOpen);
        item.put("arguments", arguments.toString());
        item.put("call_id", callId);
        item.put("name", name);
        return item;
    }
}
