package io.llmrelay.upstream;

import io.llmrelay.openai.Usage;
import java.io.IOException;

/**
 * An upstream's streamed answer as OpenAI chunks, pulled one at a time: each {@link #next()}
 * reads just as much of the upstream's body as it takes to have the next item, so a chunk reaches
 * the caller before the upstream's next event is even read. Not thread-safe, except
 * {@link #close()}, which the relay's watchdogs call from their own thread.
 */
public interface ChunkStream {

    /**
     * The next item, blocking until the upstream has sent enough for one; null when the body
     * ended (with or without the stream's proper end: {@link StreamItem.End} says which).
     *
     * @throws IOException the body broke off, or was aborted by {@link #close()}
     */
    StreamItem next() throws IOException;

    /**
     * Abandons the exchange at once, from any thread, and unblocks a waiting {@link #next()}:
     * closing is what stops the upstream generating (and billing) tokens. Never throws.
     */
    void close();

    /**
     * The token counts the upstream reported in this stream so far (its usage chunk, a provider's
     * usage events), whether or not they went to the caller; {@link Usage#UNKNOWN} until it reports
     * any. Read by the relay once the stream has ended, for the request log and the metrics.
     */
    default Usage usage() {
        return Usage.UNKNOWN;
    }
}
