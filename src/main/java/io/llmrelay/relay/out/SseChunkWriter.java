package io.llmrelay.relay.out;

import io.llmrelay.openai.ChatSse;
import io.llmrelay.openai.OpenAiError;
import java.io.IOException;

/**
 * Chunks out as a chat completion stream ({@link ChatSse}): {@code data: <chunk>} events, each
 * flushed on its own, {@code data: [DONE]} at the end, and a failure as one error event followed by
 * {@code [DONE]}. The head (200, {@code text/event-stream}) goes out with the first event.
 */
public final class SseChunkWriter implements ChunkWriter {
    static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private final CallerOutput out;
    private boolean started;

    public SseChunkWriter(CallerOutput out) {
        this.out = out;
        out.streamsWith(this);
    }

    @Override
    public void chunk(String json) throws IOException {
        begin();
        out.send(ChatSse.frame(json));
    }

    @Override
    public void end() throws IOException {
        begin();
        out.send(ChatSse.done());
    }

    @Override
    public void fail(OpenAiError error) throws IOException {
        out.send(ChatSse.errorEvent(error));
        out.send(ChatSse.done());
    }

    private void begin() {
        if (!started) {
            started = true;
            out.log().status(200);
            out.response().status(200)
                    .header("content-type", EVENT_STREAM)
                    .header("cache-control", "no-cache");
        }
    }
}
