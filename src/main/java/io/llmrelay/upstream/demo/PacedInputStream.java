package io.llmrelay.upstream.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Yields a fixed series of byte blocks, waiting before some of them, as a network stream would:
 * the wait happens inside {@code read}, so a reader sees tokens arrive over time exactly as from
 * a real upstream. {@link #close()} ends the stream at once, even from another thread mid-wait.
 */
final class PacedInputStream extends InputStream {

    /** A block of bytes and how long to wait before the first of them is readable. */
    record Block(byte[] bytes, Duration pauseBefore) {}

    private final List<Block> blocks;
    private final CountDownLatch closed = new CountDownLatch(1);
    private int blockIndex;
    private int offset;
    private boolean waited;

    PacedInputStream(List<Block> blocks) {
        this.blocks = List.copyOf(blocks);
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
        while (true) {
            ensureOpen();
            if (blockIndex == blocks.size()) {
                return -1;
            }
            Block block = blocks.get(blockIndex);
            if (!waited) {
                pause(block.pauseBefore());
                waited = true;
                continue; // re-check: close() may have ended the wait
            }
            int n = Math.min(len, block.bytes().length - offset);
            System.arraycopy(block.bytes(), offset, into, off, n);
            offset += n;
            if (offset == block.bytes().length) {
                blockIndex++;
                offset = 0;
                waited = false;
            }
            return n;
        }
    }

    @Override
    public void close() {
        closed.countDown();
    }

    private void ensureOpen() throws IOException {
        if (closed.getCount() == 0) {
            throw new IOException("stream closed");
        }
    }

    private void pause(Duration pause) throws IOException {
        if (pause.isZero() || pause.isNegative()) {
            return;
        }
        try {
            closed.await(pause.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while pacing the demo stream");
        }
    }
}
