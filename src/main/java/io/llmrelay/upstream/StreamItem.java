package io.llmrelay.upstream;

import io.llmrelay.openai.OpenAiError;

/** One item of a {@link ChunkStream}. */
public sealed interface StreamItem {
    StreamItem END = new End();
    StreamItem HEARTBEAT = new Heartbeat();

    /**
     * One complete {@code chat.completion.chunk} ({@code id}, {@code object}, {@code created},
     * {@code model} present) as JSON text on one line: exactly the upstream's bytes when it sent
     * such a chunk, else the adapter's translation or completion of it.
     */
    record Chunk(String json) implements StreamItem {}

    /** The stream's proper end ({@code [DONE]}, or a translated stream's last event): nothing more to read. */
    record End() implements StreamItem {}

    /**
     * The upstream sent an event that carries nothing for the caller (an SSE event with empty data,
     * or a usage chunk the relay asked for and the caller did not): no chunk, but a sign of life,
     * which restarts the relay's idle timeout as any event does.
     */
    record Heartbeat() implements StreamItem {}

    /**
     * The stream cannot go on: an error the upstream reported inside it, or output the adapter
     * cannot read. Ends the stream.
     *
     * @param upstreamWords the error quotes the upstream (its message may hold a key, so the relay
     *                      scrubs it); false when the words are the adapter's own
     */
    record Failure(OpenAiError error, boolean upstreamWords) implements StreamItem {}
}
