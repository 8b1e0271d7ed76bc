package io.llmrelay.relay.watch;

import io.llmrelay.openai.Usage;
import io.llmrelay.upstream.ChunkStream;
import io.llmrelay.upstream.StreamItem;
import java.io.IOException;

/**
 * An upstream's chunk stream read item by item, every wait bounded: by the route's idle timeout
 * (per upstream event), by the invocation's deadline (for the whole stream) and, once the stream to
 * the caller has begun, by the route's stream time limit ({@link #limitTo}). Each one aborts the
 * exchange, which turns the blocked (or next) read into a {@link ReadFailure} saying which.
 */
public final class WatchedChunks implements AutoCloseable {
    private final ChunkStream chunks;
    private final IdleWatchdog idle;
    private final Deadline.Watch deadline;
    private Deadline.Watch streamLimit;

    public WatchedChunks(ChunkStream chunks, long idleTimeoutMs, Deadline deadline) {
        this.chunks = chunks;
        this.idle = new IdleWatchdog(idleTimeoutMs, chunks::close);
        this.deadline = deadline.watch(chunks::close);
    }

    /**
     * From now on the stream may last at most {@code millis} more: then the upstream is closed and
     * the next read fails with {@link ReadFailure.Cause#STREAM_LIMIT}. Call once, as the stream to the
     * caller begins.
     */
    public void limitTo(long millis) {
        streamLimit = Deadline.in(millis).watch(chunks::close);
    }

    /**
     * The next chunk, end or failure, or null at the end of the body. A heartbeat (an upstream
     * event that carries nothing) is not returned, but restarts the idle timeout as any event does.
     */
    public StreamItem next() throws ReadFailure {
        try {
            StreamItem item;
            do {
                idle.arm();
                item = chunks.next();
            } while (item instanceof StreamItem.Heartbeat);
            return item;
        } catch (IOException e) {
            throw new ReadFailure(deadline.fired() ? ReadFailure.Cause.DEADLINE
                    : streamLimit != null && streamLimit.fired() ? ReadFailure.Cause.STREAM_LIMIT
                    : idle.fired() ? ReadFailure.Cause.IDLE : ReadFailure.Cause.BROKEN, e);
        } finally {
            idle.disarm();
        }
    }

    /** The token counts the upstream reported in the stream so far ({@link ChunkStream#usage()}). */
    public Usage usage() {
        return chunks.usage();
    }

    /** Abandons the exchange: closing is what stops the upstream generating (and billing) tokens. */
    @Override
    public void close() {
        deadline.close();
        if (streamLimit != null) {
            streamLimit.close();
        }
        idle.close();
        chunks.close();
    }
}
