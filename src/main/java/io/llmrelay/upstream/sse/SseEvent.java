package io.llmrelay.upstream.sse;

/**
 * One dispatched Server-Sent Event.
 *
 * @param event the {@code event:} field, or null when the event set none (WHATWG calls that type "message")
 * @param data  the {@code data:} lines joined with "\n"; never null, may be empty
 * @param id    the last event id seen so far in the stream (it persists across events, per the spec), or null
 */
public record SseEvent(String event, String data, String id) {}
