package io.llmrelay.upstream.translation;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Function;

/**
 * TEMPORARY SEAM, replaced by the restructure's upstream interface ("open a stream of OpenAI chunks
 * from a request", issue 10): today's relay reads every upstream body as OpenAI SSE, so a translated
 * provider stream is offered to it as one. Each {@code read} that finds nothing ready pulls exactly
 * one provider event through its translator and hands out the {@code data: {...}\n\n} events that
 * event made, so a chunk reaches the relay (which flushes it to the caller) before the next provider
 * event is even read. A failure becomes {@code data: {"error":...}} (the relay turns it into its
 * error event and {@code [DONE]}); the end becomes {@code data: [DONE]}. Read failures of the
 * provider's body pass through as they are, so the relay's idle timeout and deadline still apply.
 */
public final class TranslatedSseBody extends InputStream {
    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);

    /** The provider half: one event in per call, through a translator writing to this body's sink. */
    public interface Pump {
        /** Reads and translates one provider event; false at the end of the provider's body. */
        boolean pumpOne() throws IOException, StreamFailure;

        /** The provider's body ended: fails unless its stream was complete. */
        void end() throws IOException, StreamFailure;

        /** The provider's stream is complete (its last event seen): nothing more needs reading. */
        boolean complete();
    }

    private final Pump pump;
    private final Closeable provider;
    private final ArrayDeque<byte[]> ready = new ArrayDeque<>();
    private byte[] current;
    private int offset;
    private boolean finished;
    private boolean anyChunk;
    private StreamFailure failedBeforeAnyChunk;
    private IOException deferred;

    /** @param pumpForSink builds the provider half around the sink this body queues chunks from */
    public TranslatedSseBody(Function<ChunkSink, Pump> pumpForSink, Closeable provider) {
        ChunkSink sink = json -> {
            anyChunk = true;
            ready.add(frame(json));
        };
        this.pump = pumpForSink.apply(sink);
        this.provider = Objects.requireNonNull(provider, "provider");
    }

    /**
     * Pulls provider events until the first chunk is ready, within {@code limit} (the rest of the
     * first-byte timeout): a stream that fails at once then still gets its own status.
     *
     * @return the failure that came before any chunk, or null
     * @throws TimedOut when nothing came in time (the provider's body is closed then)
     */
    public StreamFailure prime(Duration limit) throws TimedOut {
        AtomicBoolean fired = new AtomicBoolean();
        CompletableFuture<Void> watchdog = CompletableFuture.runAsync(() -> {
            fired.set(true);
            closeQuietly(provider);
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
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] into, int off, int len) throws IOException {
        Objects.checkFromIndexSize(off, len, into.length);
        if (len == 0) {
            return 0;
        }
        while (current == null) {
            if (!ready.isEmpty()) {
                current = ready.poll();
                offset = 0;
            } else if (finished) {
                return -1;
            } else {
                step();
            }
        }
        int n = Math.min(len, current.length - offset);
        System.arraycopy(current, offset, into, off, n);
        offset += n;
        if (offset == current.length) {
            current = null;
        }
        return n;
    }

    /** Abandons the provider's exchange: closing is what stops it generating (and billing) tokens. */
    @Override
    public void close() {
        finished = true;
        closeQuietly(provider);
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
                finish(DONE);
            } else if (pump.complete()) {
                finish(DONE);
            }
        } catch (StreamFailure failure) {
            if (!anyChunk) {
                failedBeforeAnyChunk = failure;
            }
            finish(frame(failure.error().toJson()));
            closeQuietly(provider); // whatever the provider still says cannot be relayed: stop it generating
        }
    }

    private void finish(byte[] last) {
        ready.add(last);
        finished = true;
    }

    private static byte[] frame(byte[] json) {
        byte[] event = new byte[json.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.US_ASCII), 0, event, 0, 6);
        System.arraycopy(json, 0, event, 6, json.length);
        event[event.length - 2] = '\n';
        event[event.length - 1] = '\n';
        return event;
    }

    private static void closeQuietly(Closeable closeable) {
        try {
            closeable.close();
        } catch (IOException | RuntimeException e) {
            // abandoning the exchange either way
        }
    }
}
