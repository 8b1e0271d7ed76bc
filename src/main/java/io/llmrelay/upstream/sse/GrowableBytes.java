package io.llmrelay.upstream.sse;

import java.util.Arrays;

/** A growable byte array whose contents can be read in place (no copy to hand a line or an event's data on). */
final class GrowableBytes {
    byte[] bytes = new byte[256];
    int size;

    void reset() {
        size = 0;
    }

    void append(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    void append(byte[] src, int off, int len) {
        ensure(len);
        System.arraycopy(src, off, bytes, size, len);
        size += len;
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(size + more, bytes.length * 2));
        }
    }
}
