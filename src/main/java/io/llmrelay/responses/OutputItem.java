package io.llmrelay.responses;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One entry of a response's {@code output}, built up while the upstream streams. Its position in
 * {@code output} is its {@code output_index}: the official clients find an item by that index in
 * the list of items added so far (openai npm 6.49.0, src/lib/responses/ResponseAccumulator.ts), so
 * items are numbered in the order their {@code response.output_item.added} events go out.
 */
interface OutputItem {
    int outputIndex();

    boolean closed();

    /**
     * Emits the events that finish this item ({@code ...done}, then {@code response.output_item.done})
     * with {@code status}; no-op when it is already closed.
     */
    void close(EventWriter events, String status);

    /** The item as the Response object lists it: its final form once closed, else with {@code status}. */
    ObjectNode json(String statusIfOpen);
}
