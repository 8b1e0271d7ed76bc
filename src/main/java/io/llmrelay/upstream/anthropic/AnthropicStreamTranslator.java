package io.llmrelay.upstream.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.EventPump;
import io.llmrelay.upstream.translation.OpenAiChunkStream;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.io.IOException;
import java.util.HashSet;
import java.util.Set;

/**
 * One Anthropic Messages stream, event by event, as OpenAI chunks
 * (https://docs.anthropic.com/en/docs/build-with-claude/streaming):
 *
 * <pre>
 * event                                     chunk
 * message_start {message.usage}             role chunk; input tokens (+ cache reads and writes) kept
 * content_block_start text                  its text, if any
 * content_block_start tool_use {id, name}   tool call start (next dense index)
 * content_block_start other (thinking ...)  none
 * content_block_delta text_delta            content
 * content_block_delta input_json_delta      tool call arguments fragment
 * content_block_delta other (thinking ...)  none
 * content_block_stop                        none; a tool call's arguments must now parse as one JSON object
 * message_delta {delta.stop_reason, usage}  finish chunk (FinishReasons); output tokens kept
 * message_stop                              usage chunk, when the caller asked
 * ping                                      none
 * error {error.type, message}               StreamFailure from AnthropicErrors
 * any other event type                      none, noted: Anthropic's versioning policy says new event
 *                                           types may be added and clients should ignore unknown ones
 * </pre>
 *
 * Data that is not a JSON object with a {@code type}, or a delta or stop for a block that is not
 * open, is invalid output; a stream that ends before {@code message_stop} was cut short.
 */
public final class AnthropicStreamTranslator implements EventPump.Translator {
    static final String PROVIDER = "Anthropic";

    private final OpenAiChunkStream out;
    private final String route;
    private final TranslationNotes notes;
    private final Set<Integer> openBlocks = new HashSet<>();
    private boolean done;

    public AnthropicStreamTranslator(OpenAiChunkStream out, String route, TranslationNotes notes) {
        this.out = out;
        this.route = route;
        this.notes = notes;
    }

    /** One SSE event's {@code data}; its {@code type} decides (the SSE event name repeats it). */
    public void onEvent(String data) throws IOException, StreamFailure {
        JsonNode event = parse(data);
        if (done) {
            throw StreamFailure.invalid(PROVIDER, "an event after message_stop");
        }
        switch (event.path("type").asText()) {
            case "message_start" -> {
                JsonNode usage = event.path("message").path("usage");
                out.usage(promptTokens(usage), usage.path("output_tokens").isNumber() ? usage.get("output_tokens").asLong() : null);
                out.start();
            }
            case "content_block_start" -> {
                int index = index(event);
                if (!openBlocks.add(index)) {
                    throw StreamFailure.invalid(PROVIDER, "a second content_block_start for block " + index);
                }
                blockStart(index, event.path("content_block"));
            }
            case "content_block_delta" -> blockDelta(open(event), event.path("delta"));
            case "content_block_stop" -> {
                int index = open(event);
                openBlocks.remove(index);
                out.blockStop(index);
            }
            case "message_delta" -> {
                JsonNode usage = event.path("usage");
                out.usage(usage.has("input_tokens") ? promptTokens(usage) : null,
                        usage.path("output_tokens").isNumber() ? usage.get("output_tokens").asLong() : null);
                JsonNode reason = event.path("delta").path("stop_reason");
                if (reason.isTextual()) {
                    out.stop(reason.asText());
                }
            }
            case "message_stop" -> {
                done = true;
                out.sendUsage();
            }
            case "ping" -> { }
            case "error" -> {
                JsonNode error = event.path("error");
                throw AnthropicErrors.failure(0, error.path("type").asText("error"), error.path("message").asText(null),
                        route);
            }
            default -> notes.note(TranslationNotes.IGNORED_EVENT, "anthropic:" + event.path("type").asText());
        }
    }

    /** The HTTP body ended. */
    @Override
    public void onEnd() throws StreamFailure {
        if (!done) {
            throw StreamFailure.cut(PROVIDER, "before message_stop");
        }
    }

    @Override
    public boolean isDone() {
        return done;
    }

    private void blockStart(int index, JsonNode block) throws IOException, StreamFailure {
        switch (block.path("type").asText()) {
            case "text" -> out.text(block.path("text").asText(""));
            case "tool_use" -> out.toolStart(index, block.path("id").asText(null), block.path("name").asText(null));
            default -> out.start(); // thinking, server tools ...: nothing an OpenAI client can read
        }
    }

    private void blockDelta(int index, JsonNode delta) throws IOException, StreamFailure {
        switch (delta.path("type").asText()) {
            case "text_delta" -> out.text(delta.path("text").asText(""));
            case "input_json_delta" -> out.toolArguments(index, delta.path("partial_json").asText(""));
            default -> { } // thinking_delta, signature_delta, citations_delta: not relayed
        }
    }

    /** The index of a block that content_block_start opened and no content_block_stop closed yet. */
    private int open(JsonNode event) throws StreamFailure {
        int index = index(event);
        if (!openBlocks.contains(index)) {
            throw StreamFailure.invalid(PROVIDER, "a " + event.path("type").asText() + " for block " + index
                    + ", which is not open");
        }
        return index;
    }

    private static int index(JsonNode event) throws StreamFailure {
        JsonNode index = event.get("index");
        if (index == null || !index.canConvertToInt() || !index.isIntegralNumber()) {
            throw StreamFailure.invalid(PROVIDER, "a " + event.path("type").asText() + " event without an index");
        }
        return index.intValue();
    }

    /** OpenAI's prompt_tokens count cached tokens too; Anthropic's input_tokens does not. */
    private static Long promptTokens(JsonNode usage) {
        if (!usage.path("input_tokens").isNumber()) {
            return null;
        }
        return usage.get("input_tokens").asLong() + usage.path("cache_creation_input_tokens").asLong(0)
                + usage.path("cache_read_input_tokens").asLong(0);
    }

    private static JsonNode parse(String data) throws StreamFailure {
        JsonNode event;
        try {
            event = Json.MAPPER.readTree(data);
        } catch (IOException e) {
            event = null;
        }
        if (event == null || !event.isObject() || !event.path("type").isTextual()) {
            throw StreamFailure.invalid(PROVIDER, "an event that is not a JSON object with a type ("
                    + data.length() + " characters)");
        }
        return event;
    }
}
