package io.llmrelay.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.util.Arrays;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Hands a streamed body from the thread that receives it to the thread that forwards it, chunk
 * by chunk, keeping chunk boundaries so that each one can be flushed on its own. Bounded: a
 * slow reader slows the writer down. Closing the reading side makes the writer's next
 * {@link #send} fail, which is how a caller that went away reaches the function.
 *
 * <p>No wait here outlives the invocation: both sides give up at its deadline, when Lambda
 * would stop the function, so a side that left without a word cannot pin the other.
 */
final class ChunkPipe extends InputStream {
    private static final byte[] END = new byte[0];
    /** How often a blocked writer looks at the reader's state. */
    private static final long POLL_MS = 100;

    private final BlockingQueue<byte[]> chunks = new ArrayBlockingQueue<>(256);
    private final long deadlineEpochMs;
    private volatile boolean readerClosed;
    private volatile IOException failure;
    /** Set by {@link #abort}: every later read throws it, whatever is still queued. */
    private volatile IOException aborted;
    private byte[] current = new byte[0];
    private int position;
    private boolean ended;

    /** @param deadlineEpochMs the invocation's deadline: neither side waits past it */
    ChunkPipe(long deadlineEpochMs) {
        this.deadlineEpochMs = deadlineEpochMs;
    }

    /** Thrown on either side when the invocation's deadline passes while it waits. */
    static final class DeadlinePassed extends IOException {
        DeadlinePassed() {
            super("the invocation reached its deadline");
        }
    }

    /** Writer side: one chunk, as received. Blocks while the reader is far behind. */
    void send(byte[] chunk) throws IOException {
        if (chunk.length == 0) {
            return;
        }
        put(chunk);
    }

    /** Writer side: the body is complete. */
    void end() throws IOException {
        put(END);
    }

    /**
     * Writer side: the body will not complete; the reader's next read throws {@code cause}.
     * After an {@link #abort} the reader already has its reason, which this does not replace.
     */
    void fail(IOException cause) {
        if (readerClosed) {
            return;
        }
        failure = cause;
        chunks.offer(END);
    }

    private void put(byte[] chunk) throws IOException {
        try {
            while (!readerClosed) {
                long left = deadlineEpochMs - System.currentTimeMillis();
                if (left <= 0) {
                    throw new DeadlinePassed();
                }
                if (chunks.offer(chunk, Math.min(POLL_MS, left), TimeUnit.MILLISECONDS)) {
                    if (readerClosed) {
                        break;
                    }
                    return;
                }
            }
            throw new IOException("the caller went away");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while forwarding a chunk");
        }
    }

    /** Reader side: the next whole chunk, or null at the end of the body. */
    private byte[] nextChunk() throws IOException {
        if (aborted != null) {
            throw aborted;
        }
        if (ended) {
            return null;
        }
        byte[] chunk;
        try {
            long left = deadlineEpochMs - System.currentTimeMillis();
            chunk = left > 0 ? chunks.poll(left, TimeUnit.MILLISECONDS) : chunks.poll();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for a chunk");
        }
        if (chunk == null) {
            throw new DeadlinePassed();
        }
        if (aborted != null) {
            throw aborted;
        }
        if (chunk == END) {
            ended = true;
            if (failure != null) {
                throw failure;
            }
            return null;
        }
        return chunk;
    }

    @Override
    public int read() throws IOException {
        if (position >= current.length && !advance()) {
            return -1;
        }
        return current[position++] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (position >= current.length && !advance()) {
            return -1;
        }
        int n = Math.min(len, current.length - position);
        System.arraycopy(current, position, b, off, n);
        position += n;
        return n;
    }

    /**
     * Reader side: the rest of the current chunk, or else the next whole chunk as the writer sent
     * it (no copy); null at the end of the body. Lets a forwarder write each chunk without a
     * buffer of its own, which would be garbage made once per response.
     */
    byte[] readChunk() throws IOException {
        if (position < current.length) {
            byte[] rest = position == 0 ? current : Arrays.copyOfRange(current, position, current.length);
            position = current.length;
            return rest;
        }
        byte[] chunk = nextChunk();
        if (chunk == null) {
            return null;
        }
        current = chunk;
        position = chunk.length;
        return chunk;
    }

    /** Reads never cross a chunk boundary, so a forwarder can flush after every read. */
    private boolean advance() throws IOException {
        byte[] chunk = nextChunk();
        if (chunk == null) {
            return false;
        }
        current = chunk;
        position = 0;
        return true;
    }

    @Override
    public void close() {
        readerClosed = true;
        chunks.clear();
    }

    /**
     * Either side: ends the body now, as Lambda does when an invocation times out mid-stream.
     * The reader's next read throws {@code why}; the writer's next send fails as if the caller left.
     */
    void abort(IOException why) {
        aborted = why;
        readerClosed = true;
        failure = why;
        chunks.clear();
        chunks.offer(END);
    }
}
