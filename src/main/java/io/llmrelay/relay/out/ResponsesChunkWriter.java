package io.llmrelay.relay.out;

import io.llmrelay.json.Json;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.responses.ResponseContext;
import io.llmrelay.responses.ResponsesStream;
import java.io.IOException;

/**
 * Chunks out as a Responses event stream ({@link ResponsesStream}, which holds the translation
 * table): everything one chat chunk causes ({@code response.created} and {@code response.in_progress}
 * with the first, then {@code response.output_text.delta}, {@code ...done} events) leaves as one
 * write, scrubbed and flushed before the next chunk is read; the end is {@code response.completed}
 * or {@code response.incomplete}; a failure once the stream began is an {@code error} event and
 * {@code response.failed}. No {@code [DONE]}: a Responses stream ends with its terminal event. The
 * head (200, {@code text/event-stream}) goes out with the first events.
 */
public final class ResponsesChunkWriter implements ChunkWriter {
    private final CallerOutput out;
    private final ResponsesStream stream;
    private boolean begun;

    public ResponsesChunkWriter(CallerOutput out, ResponseContext context) {
        this.out = out;
        this.stream = new ResponsesStream(context, this::send);
        out.streamsWith(this);
    }

    /** {@inheritDoc} A {@link io.llmrelay.upstream.StreamItem.Chunk} is one JSON object, never an error. */
    @Override
    public void chunk(String json) throws IOException {
        stream.chunk(Json.MAPPER.readTree(json));
    }

    @Override
    public void end() throws IOException {
        if (!stream.ended()) {
            stream.finish();
        }
    }

    /**
     * The {@code error} and {@code response.failed} events. Nothing is added once the terminal event
     * was made (a failure while sending it: the deadline came while it was being scrubbed, or the
     * caller went away), since a Responses stream has nothing after its terminal event.
     */
    @Override
    public void fail(OpenAiError error) throws IOException {
        if (!stream.ended()) {
            stream.fail(error);
        }
    }

    private void send(byte[] events) throws IOException {
        if (!begun) {
            begun = true;
            out.log().status(200);
            out.response().status(200)
                    .header("content-type", SseChunkWriter.EVENT_STREAM)
                    .header("cache-control", "no-cache");
        }
        out.send(events);
    }
}
