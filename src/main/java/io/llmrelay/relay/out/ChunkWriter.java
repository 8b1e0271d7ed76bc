package io.llmrelay.relay.out;

import io.llmrelay.openai.OpenAiError;
import java.io.IOException;

/**
 * The last stage of a streamed answer, "chunks out": the response head, each chat chunk, the end
 * or a failure, in the caller's wire format. The streaming loop only calls these, so that another
 * wire format (the Responses API's events, whose translator takes the same chat chunks in) can
 * replace the chat SSE writer ({@link SseChunkWriter}) without touching the loop. Each call writes
 * and flushes what it makes before it returns.
 *
 * @see ErrorContract#fail
 */
public interface ChunkWriter {

    /** One complete {@code chat.completion.chunk} (JSON); the first call also sends the head (200). */
    void chunk(String json) throws IOException;

    /** The stream is complete (the upstream's end, or its body ended without one). */
    void end() throws IOException;

    /** A failure once the stream has begun: the error told inside the stream, then its end. */
    void fail(OpenAiError error) throws IOException;
}
