package io.llmrelay.responses;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.OpenAiError;
import java.io.IOException;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Translates one chat completion stream ({@code chat.completion.chunk} payloads) into a Responses
 * event stream (https://developers.openai.com/api/reference/resources/responses/streaming-events),
 * one upstream payload at a time: whatever a payload causes is written to the sink as one write
 * before this returns, so text reaches the caller the moment its chunk arrives.
 *
 * <pre>
 * first chunk            response.created, response.in_progress (status in_progress, output [])
 * delta.content          [output_item.added message, content_part.added output_text] output_text.delta
 * delta.refusal          [.. content_part.added refusal] response.refusal.delta
 * delta.tool_calls[i]    [output_item.added function_call] function_call_arguments.delta
 * finish_reason          ...done events and output_item.done for every open item
 * [DONE] / end of body   response.completed, or response.incomplete (finish_reason length or
 *                        content_filter), with the whole output and usage
 * failure after start    error, then response.failed; no [DONE] (Responses streams have none)
 * </pre>
 *
 * The failure pair follows what OpenAI sends (an {@code error} event, then {@code response.failed},
 * as recorded from the live API in github.com/vercel/ai,
 * packages/openai/src/responses/__fixtures__/openai-error.1.chunks.txt). The reference has no
 * {@code [DONE]}: a Responses stream ends with its terminal event. Not thread-safe: one stream,
 * one reader.
 */
public final class ResponsesStream {
    /** Where events go: one call per upstream payload that caused any. */
    @FunctionalInterface
    public interface Sink {
        void write(byte[] events) throws IOException;
    }

    /** A payload with more after its object is not one chunk (the chat path refuses it too). */
    private static final ObjectReader ONE_VALUE = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private final ResponseContext context;
    private final Sink sink;
    private final LongSupplier epochSeconds;
    private final EventWriter events = new EventWriter();
    private final StreamedOutput output;
    private String model;
    private String finishReason;
    private ObjectNode usage;
    private boolean ended;

    public ResponsesStream(ResponseContext context, Sink sink) {
        this(context, sink, () -> System.currentTimeMillis() / 1000);
    }

    /** @param epochSeconds the clock for {@code completed_at} */
    public ResponsesStream(ResponseContext context, Sink sink, LongSupplier epochSeconds) {
        this.context = Objects.requireNonNull(context, "context");
        this.sink = Objects.requireNonNull(sink, "sink");
        this.epochSeconds = epochSeconds;
        this.output = new StreamedOutput(context, events);
    }

    /** True once anything was written: from then on a failure is {@link #fail}, not an HTTP error. */
    public boolean started() {
        return model != null;
    }

    public boolean ended() {
        return ended;
    }

    /** One upstream SSE {@code data} payload, as the relay reads it. */
    public StreamStep accept(String data) throws IOException {
        if (data.length() < 16 && data.strip().equals("[DONE]")) {
            finish();
            return StreamStep.FINISHED;
        }
        JsonNode chunk;
        try {
            chunk = ONE_VALUE.readTree(data);
        } catch (IOException e) {
            chunk = null;
        }
        if (chunk == null || !chunk.isObject()) {
            return new StreamStep.UpstreamFailed(OpenAiError.upstreamInvalidResponse("The upstream sent an event that"
                    + " is not a JSON object (" + data.length() + " characters); the stream cannot be relayed further."));
        }
        OpenAiError error = UpstreamErrors.inChunk(chunk);
        if (error != null) {
            return new StreamStep.UpstreamFailed(error);
        }
        chunk(chunk);
        return StreamStep.CONTINUE;
    }

    /** One parsed {@code chat.completion.chunk} (not an error: see {@link #accept}). */
    public void chunk(JsonNode chunk) throws IOException {
        checkOpen();
        begin(chunk.path("model").asText(null));
        JsonNode chatUsage = chunk.get("usage");
        if (chatUsage != null && chatUsage.isObject()) {
            usage = UsageTranslation.of(chatUsage);
        }
        for (JsonNode choice : chunk.path("choices")) {
            if (choice.path("index").asInt(0) != 0) {
                continue; // the translated request never asks for n > 1
            }
            delta(choice.path("delta"));
            JsonNode finish = choice.get("finish_reason");
            if (finish != null && finish.isTextual()) {
                finishReason = finish.asText();
                output.closeAll(FinishReasons.of(finishReason).itemStatus());
            }
        }
        flush();
    }

    /** The upstream ended ({@code [DONE]}, or its body ended without one): closes the response. */
    public void finish() throws IOException {
        checkOpen();
        begin(null);
        FinishReasons end = FinishReasons.of(finishReason);
        output.closeAll(end.itemStatus());
        Long completedAt = end == FinishReasons.COMPLETE ? epochSeconds.getAsLong() : null;
        ObjectNode terminal = events.event(end.terminalEvent());
        terminal.set("response", ResponseObject.build(context, model, end.status(), output.json(end.itemStatus()),
                usage, null, end.incompleteReason(), completedAt));
        events.emit(terminal);
        ended = true;
        flush();
    }

    /**
     * A failure after {@link #started()}: an {@code error} event, then {@code response.failed} with
     * the output so far (open items {@code incomplete}). The {@code error} event carries the
     * reference's fields ({@code code}, {@code message}, {@code param}) and the nested
     * {@code error} object OpenAI sends on the wire; the openai npm client raises an APIError on
     * the latter (src/core/streaming.ts), as it does on a failed chat stream.
     */
    public void fail(OpenAiError error) throws IOException {
        checkOpen();
        if (!started()) {
            throw new IllegalStateException("nothing was sent yet: answer with an HTTP error instead");
        }
        String code = error.code() != null ? error.code() : "server_error";
        ObjectNode event = events.event("error");
        event.put("code", code);
        event.put("message", error.message());
        event.put("param", error.param());
        ObjectNode nested = event.putObject("error");
        nested.put("type", error.type());
        nested.put("code", code);
        nested.put("message", error.message());
        nested.put("param", error.param());
        events.emit(event);
        ObjectNode failed = events.event("response.failed");
        failed.set("response", ResponseObject.build(context, model, ResponseObject.FAILED,
                output.json(ResponseObject.INCOMPLETE), usage, ResponseObject.error(code, error.message()), null, null));
        events.emit(failed);
        ended = true;
        flush();
    }

    private void begin(String upstreamModel) {
        if (started()) {
            return;
        }
        model = context.model(upstreamModel);
        for (String type : new String[] {"response.created", "response.in_progress"}) {
            ObjectNode event = events.event(type);
            event.set("response", ResponseObject.build(context, model, ResponseObject.IN_PROGRESS,
                    Json.MAPPER.createArrayNode(), null, null, null, null));
            events.emit(event);
        }
    }

    private void delta(JsonNode delta) {
        text(MessageItem.Kind.TEXT, delta.get("content"));
        text(MessageItem.Kind.REFUSAL, delta.get("refusal"));
        for (JsonNode call : delta.path("tool_calls")) {
            output.toolCall(call);
        }
    }

    private void text(MessageItem.Kind kind, JsonNode value) {
        if (value != null && value.isTextual() && !value.asText().isEmpty()) {
            output.text(kind, value.asText());
        }
    }

    private void checkOpen() {
        if (ended) {
            throw new IllegalStateException("the response stream has ended");
        }
    }

    private void flush() throws IOException {
        byte[] bytes = events.drain();
        if (bytes.length > 0) {
            sink.write(bytes);
        }
    }
}
