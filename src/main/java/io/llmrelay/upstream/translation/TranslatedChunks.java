package io.llmrelay.upstream.translation;

import io.llmrelay.openai.Usage;
import io.llmrelay.upstream.ChunkStream;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * A provider's stream as OpenAI chunks: each {@link #next()} that finds no chunk ready pulls
 * exactly one provider event through its translator, which puts the chunks that event makes into
 * this stream's queue ({@link ChunkSink}), so a chunk reaches the relay (which flushes it to the
 * caller) before the next provider event is even read. A {@link StreamFailure} becomes a
 * {@link StreamItem.Failure} (the provider's words); the provider's last event, or its body's end,
 * becomes {@link StreamItem#END}. Read failures of the provider's body pass through as they are,
 * so the relay's idle timeout and deadline apply as to any stream.
 */
public final class TranslatedChunks implements ChunkStream {

    /** The provider half: one event in per call, through a translator writing to this stream's sink. */
    public interface Pump {
        /** Reads and translates one provider event; false at the end of the provider's body. */
        boolean pumpOne() throws IOException, StreamFailure;

        /** The provider's body ended: fails unless its stream was complete. */
        void end() throws IOException, StreamFailure;

        /** The provider's stream is complete (its last event seen): nothing more needs reading. */
        boolean complete();

        /** The token counts the provider's events reported so far ({@link OpenAiChunkStream#reported()}). */
        default Usage usage() {
            return Usage.UNKNOWN;
        }
    }

    private final Pump pump;
    private final UpstreamResponse provider;
    private final ArrayDeque<StreamItem> ready = new ArrayDeque<>();
    private boolean finished;
    /** The provider's stream ended as it should ({@link StreamItem#END}): what is left is its body's end. */
    private volatile boolean ended;
    private boolean anyChunk;
    private StreamFailure failedBeforeAnyChunk;
    private IOException deferred;

    /**
     * @param pumpForSink builds the provider half around the sink this stream queues chunks from
     * @param provider    the provider's answer that {@code pumpForSink}'s pump reads
     */
    public TranslatedChunks(Function<ChunkSink, Pump> pumpForSink, UpstreamResponse provider) {
        ChunkSink sink = json -> {
            anyChunk = true;
            ready.add(new StreamItem.Chunk(new String(json, StandardCharsets.UTF_8)));
        };
        this.pump = pumpForSink.apply(sink);
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * Pulls provider events until the first chunk is ready, within {@code limit} (the rest of the
     * first-byte timeout): a stream that fails at once then still gets its own status, and may be
     * retried, like a refusal.
     *
     * @return the failure that came before any chunk, or null
     * @throws TimedOut when nothing came in time (the provider's body is closed then)
     */
    public StreamFailure prime(Duration limit) throws TimedOut {
        AtomicBoolean fired = new AtomicBoolean();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            fired.set(true);
            provider.close();
        }, CompletableFuture.delayedExecutor(Math.max(1, limit.toMillis()), TimeUnit.MILLISECONDS));
        try {
            while (ready.isEmpty() && !finished) {
                step();
            }
        } catch (IOException e) {
            if (fired.get()) {
                throw new TimedOut();
            }
            deferred = e; // the relay reads it as a stream broken before its first event
        } finally {
            watchdog.cancel(false);
        }
        return failedBeforeAnyChunk;
    }

    /** Nothing came within the time given. */
    public static final class TimedOut extends Exception {
        public TimedOut() {
            super("no event within the first-byte timeout");
        }
    }

    @Override
    public StreamItem next() throws IOException {
        while (ready.isEmpty()) {
            if (finished) {
                return null;
            }
            step();
        }
        return ready.poll();
    }

    /** What the provider reported, whether or not the caller asked for the usage chunk. */
    @Override
    public Usage usage() {
        return pump.usage();
    }

    /**
     * After the provider's last event (Anthropic's message_stop, Bedrock's metadata after
     * messageStop) or its body's end: closes so that the connection can serve the next request
     * ({@link UpstreamResponse#closeAfterEnd()}, as the OpenAI-compatible stream does after
     * {@code [DONE]}). Otherwise abandons the provider's exchange: closing is what stops it
     * generating (and billing) tokens.
     */
    @Override
    public void close() {
        finished = true;
        if (ended) {
            provider.closeAfterEnd();
        } else {
            provider.close();
        }
    }

    private void step() throws IOException {
        if (deferred != null) {
            IOException e = deferred;
            deferred = null;
            throw e;
        }
        try {
            if (!pump.pumpOne()) {
                pump.end();
                finish(StreamItem.END);
            } else if (pump.complete()) {
                finish(StreamItem.END);
            }
        } catch (StreamFailure failure) {
            if (!anyChunk) {
                failedBeforeAnyChunk = failure;
            }
            finish(new StreamItem.Failure(failure.error(), true));
            provider.close(); // whatever the provider still says cannot be relayed: stop it generating
        }
    }

    private void finish(StreamItem last) {
        ready.add(last);
        finished = true;
        ended = last == StreamItem.END;
    }
}
