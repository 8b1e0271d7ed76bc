package io.llmrelay.upstream.sse;

import java.io.IOException;
import java.io.InputStream;

/**
 * The lines of an event stream. Bytes are read in blocks into one array and split into lines
 * there; a line that straddles reads is assembled in a carry buffer, so a character whose bytes
 * straddle two reads stays intact (lines are decoded as UTF-8 only by the reader, once complete).
 * Lines end with LF, CRLF or CR, and a CR that ends one read followed by an LF that starts the next
 * is a single line end. A leading UTF-8 BOM is skipped, even when it arrives split across reads. A
 * partial line at the end of the stream is dropped.
 */
final class SseLines {
    private static final int READ_BLOCK = 8192;
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    /** Refuses a line that would make the event too large to hold; sees each line's length as it grows. */
    @FunctionalInterface
    interface SizeCheck {
        void check(int lineBytes) throws IOException;
    }

    private final InputStream in;
    private final SizeCheck sizeCheck;
    private final byte[] block = new byte[READ_BLOCK];
    private int pos;
    private int limit;
    private boolean endOfStream;
    private boolean bomChecked;
    /** The last line ended with CR: an LF arriving next, even in the next read, belongs to that line end. */
    private boolean swallowLf;

    /** A line that straddles reads is assembled here; a line inside one block is parsed in place. */
    private final GrowableBytes carry = new GrowableBytes();
    /** The current line: {@code line[lineStart, lineStart + lineLength)}. */
    byte[] line;
    int lineStart;
    int lineLength;

    SseLines(InputStream in, SizeCheck sizeCheck) {
        this.in = in;
        this.sizeCheck = sizeCheck;
    }

    /** Points {@link #line} at the next complete line; false at end of stream (a partial line is dropped). */
    boolean next() throws IOException {
        carry.reset();
        while (true) {
            if (pos == limit && !fill()) {
                return false;
            }
            if (swallowLf) {
                swallowLf = false;
                if (block[pos] == '\n') {
                    pos++;
                    continue;
                }
            }
            int end = pos;
            while (end < limit) {
                byte b = block[end];
                if (b == '\n' || b == '\r') {
                    break;
                }
                end++;
            }
            if (end == limit) {
                sizeCheck.check(carry.size + (end - pos));
                carry.append(block, pos, end - pos);
                pos = end;
                continue;
            }
            if (carry.size == 0) {
                line = block;
                lineStart = pos;
                lineLength = end - pos;
            } else {
                carry.append(block, pos, end - pos);
                line = carry.bytes;
                lineStart = 0;
                lineLength = carry.size;
            }
            sizeCheck.check(lineLength);
            swallowLf = block[end] == '\r';
            pos = end + 1;
            return true;
        }
    }

    private boolean fill() throws IOException {
        if (endOfStream) {
            return false;
        }
        int n;
        do {
            n = in.read(block, 0, block.length);
        } while (n == 0);
        if (n < 0) {
            endOfStream = true;
            return false;
        }
        pos = 0;
        limit = n;
        if (!bomChecked) {
            skipBom();
        }
        return true;
    }

    /** The BOM may itself arrive split across reads, so read just enough of the stream's start to tell. */
    private void skipBom() throws IOException {
        bomChecked = true;
        while (limit < BOM.length && startsLikeBom()) {
            int n = in.read(block, limit, block.length - limit);
            if (n < 0) {
                endOfStream = true;
                return;
            }
            limit += n;
        }
        if (limit >= BOM.length && startsLikeBom()) {
            pos = BOM.length;
        }
    }

    private boolean startsLikeBom() {
        for (int i = 0; i < Math.min(limit, BOM.length); i++) {
            if (block[i] != BOM[i]) {
                return false;
            }
        }
        return true;
    }

    void close() throws IOException {
        in.close();
    }
}
