package io.llmrelay.relay.stream;

import io.llmrelay.relay.out.ChunkWriter;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.watch.ReadFailure;
import io.llmrelay.relay.watch.WatchedChunks;
import io.llmrelay.upstream.StreamItem;
import java.io.IOException;

/**
 * The streaming loop: an opened upstream stream, item by item, into a {@link ChunkWriter}. Each
 * chunk is written and flushed before the next is read, so the caller hears every token the moment
 * the upstream's event behind it is decoded. The head goes out with the first chunk, so a first
 * item that is a failure still gets a real status ({@link ErrorContract#fail}).
 */
public final class StreamRelay {
    private final ChunkWriter writer;
    private final ErrorContract errors;
    private final String route;
    private final long idleTimeoutMs;
    private final long deadlineMarginMs;

    /** @param route, idleTimeoutMs, deadlineMarginMs what a read failure's words name */
    public StreamRelay(ChunkWriter writer, ErrorContract errors, String route, long idleTimeoutMs, long deadlineMarginMs) {
        this.writer = writer;
        this.errors = errors;
        this.route = route;
        this.idleTimeoutMs = idleTimeoutMs;
        this.deadlineMarginMs = deadlineMarginMs;
    }

    /**
     * Relays {@code first} and everything after it until the stream ends or fails.
     *
     * @throws IOException the caller went away, or the answer could not be scrubbed in time
     */
    public void run(WatchedChunks chunks, StreamItem first) throws IOException {
        StreamItem item = first;
        while (true) {
            switch (item) {
                case null -> {
                    writer.end(); // the upstream forgot [DONE]; callers wait for it
                    return;
                }
                case StreamItem.Chunk chunk -> writer.chunk(chunk.json());
                case StreamItem.End end -> {
                    writer.end();
                    return;
                }
                case StreamItem.Failure failure -> {
                    errors.fail(failure.error(), failure.upstreamWords(), writer);
                    return;
                }
                case StreamItem.Heartbeat heartbeat -> { } // WatchedChunks keeps these; nothing to write
            }
            try {
                item = chunks.next();
            } catch (ReadFailure e) {
                errors.fail(ErrorContract.readFailure(e, ErrorContract.Phase.STREAMING, route, idleTimeoutMs,
                        deadlineMarginMs), false, writer);
                return;
            }
        }
    }
}
