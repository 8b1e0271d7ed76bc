package io.llmrelay.upstream.openai;

import io.llmrelay.openai.Usage;
import io.llmrelay.upstream.ChunkStream;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.IOException;

/** An OpenAI-compatible SSE body, one event per {@link #next()}, each decoded by a {@link ChunkDecoder}. */
final class OpenAiChunks implements ChunkStream {
    private final UpstreamResponse answer;
    private final SseReader reader;
    private final String requestId;
    private final String model;
    private final boolean hideUsageChunk;
    private ChunkDecoder decoder;
    /** {@code [DONE]} was read: what follows is the body's end, read before closing so the connection is pooled. */
    private volatile boolean ended;

    /**
     * @param model          for chunks that name none; null: "unknown"
     * @param hideUsageChunk the relay asked for usage on its own account: the usage-only chunk is not passed on
     */
    OpenAiChunks(UpstreamResponse answer, String requestId, String model, boolean hideUsageChunk) {
        this.answer = answer;
        this.reader = new SseReader(answer.body());
        this.requestId = requestId;
        this.model = model == null ? "unknown" : model;
        this.hideUsageChunk = hideUsageChunk;
    }

    /**
     * An event whose data is empty ({@code data:} with nothing after it) is a {@link StreamItem.Heartbeat}:
     * it carries no chunk, and relaying it as one would end a good stream with "not JSON". The SSE
     * reader dispatches it, as the WHATWG "dispatch the event" steps do
     * (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage: step 2 drops
     * only an event whose data buffer is empty, and {@code data:} has put an LF in it, which step 3
     * then removes), so skipping it is the relay's decision, made here.
     */
    @Override
    public StreamItem next() throws IOException {
        SseEvent event = reader.next();
        if (event == null) {
            return null;
        }
        if (event.data().isEmpty()) {
            return StreamItem.HEARTBEAT;
        }
        StreamItem item = decoder().decode(event.data());
        if (item instanceof StreamItem.End) {
            ended = true;
        }
        return item;
    }

    /** Made at the first event: its {@code created} for chunks without one is the stream's start. */
    private ChunkDecoder decoder() {
        if (decoder == null) {
            decoder = ChunkDecoder.forRequest(requestId, System.currentTimeMillis() / 1000, model, hideUsageChunk);
        }
        return decoder;
    }

    @Override
    public Usage usage() {
        return decoder == null ? Usage.UNKNOWN : decoder.usage();
    }

    @Override
    public void close() {
        if (ended) {
            answer.closeAfterEnd();
        } else {
            answer.close(); // mid-stream: abandon the exchange, which stops the upstream generating
        }
    }
}
