package io.llmrelay.responses;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.llmrelay.json.Json;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A response's {@code output} as chat deltas build it. Text and refusal deltas go to one open
 * message item; each chat tool call (told apart by its {@code index}) becomes a function call item.
 * A message is closed when a tool call starts, as chat sends content before tool calls (text that
 * comes after one opens a new message). Tool calls stay open to the end, so that argument pieces
 * of parallel calls may arrive interleaved. Nothing is held back, except the arguments of a tool
 * call whose name has not arrived yet: an item is added with its name, which clients require.
 */
final class StreamedOutput {
    /** One chat tool call on its way to becoming an item. */
    private static final class Call {
        String callId;
        final StringBuilder name = new StringBuilder();
        final StringBuilder pendingArguments = new StringBuilder();
        FunctionCallItem item;
    }

    private final ResponseContext context;
    private final EventWriter events;
    private final List<OutputItem> items = new ArrayList<>();
    private final Map<String, Call> calls = new HashMap<>();
    private final List<Call> callOrder = new ArrayList<>();
    private MessageItem message;
    private String lastCallKey;

    StreamedOutput(ResponseContext context, EventWriter events) {
        this.context = context;
        this.events = events;
    }

    void text(MessageItem.Kind kind, String delta) {
        if (message == null) {
            message = MessageItem.open(context.messageId(items.size()), items.size(), events);
            items.add(message);
        }
        message.append(kind, delta, events);
    }

    /** One entry of a chat delta's {@code tool_calls}. */
    void toolCall(JsonNode delta) {
        Call call = calls.computeIfAbsent(key(delta), k -> {
            Call fresh = new Call();
            callOrder.add(fresh);
            return fresh;
        });
        JsonNode id = delta.get("id");
        if (call.callId == null && id != null && id.isTextual() && !id.asText().isEmpty()) {
            call.callId = id.asText();
        }
        JsonNode function = delta.path("function");
        JsonNode name = function.get("name");
        if (call.item == null && name != null && name.isTextual()) {
            call.name.append(name.asText());
        }
        JsonNode arguments = function.get("arguments");
        String piece = arguments != null && arguments.isTextual() ? arguments.asText() : "";
        if (call.item == null) {
            call.pendingArguments.append(piece);
            if (!call.name.isEmpty()) {
                open(call);
            }
        } else if (!piece.isEmpty()) {
            call.item.appendArguments(piece, events);
        }
    }

    /** Closes every open item with {@code status}, in output order; tool calls still nameless open first. */
    void closeAll(String status) {
        closeMessage(status);
        for (Call call : callOrder) {
            if (call.item == null) {
                open(call);
            }
        }
        for (OutputItem item : items) {
            item.close(events, status);
        }
    }

    boolean isEmpty() {
        return items.isEmpty() && callOrder.isEmpty();
    }

    /** {@code output} for the Response object; open items are listed with {@code statusIfOpen}. */
    ArrayNode json(String statusIfOpen) {
        ArrayNode output = Json.MAPPER.createArrayNode();
        for (OutputItem item : items) {
            output.add(item.json(statusIfOpen));
        }
        return output;
    }

    private void open(Call call) {
        closeMessage(ResponseObject.COMPLETED);
        int index = items.size();
        String callId = call.callId != null ? call.callId : context.callId(index);
        call.item = FunctionCallItem.open(context.functionCallId(index), index, callId, call.name.toString(), events);
        items.add(call.item);
        if (!call.pendingArguments.isEmpty()) {
            call.item.appendArguments(call.pendingArguments.toString(), events);
            call.pendingArguments.setLength(0);
        }
    }

    private void closeMessage(String status) {
        if (message != null) {
            message.close(events, status);
            message = null;
        }
    }

    /** Chat numbers tool calls by {@code index}; a server that omits it is followed by id, else by order. */
    private String key(JsonNode delta) {
        JsonNode index = delta.get("index");
        JsonNode id = delta.get("id");
        if (index != null && index.canConvertToInt()) {
            lastCallKey = "index:" + index.asInt();
        } else if (id != null && id.isTextual() && !id.asText().isEmpty()) {
            lastCallKey = "id:" + id.asText();
        } else if (lastCallKey == null) {
            lastCallKey = "index:0";
        }
        return lastCallKey;
    }
}
