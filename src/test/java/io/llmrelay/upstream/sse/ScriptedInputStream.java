package io.llmrelay.upstream.sse;

import java.io.InputStream;
import java.util.Arrays;

/**
 * Delivers a byte array in reads that end exactly at the given cut points, the way a network
 * splits a stream wherever it likes; single-byte {@code read()} calls are counted so a test can
 * prove the reader never makes them.
 */
final class ScriptedInputStream extends InputStream {
    private final byte[] bytes;
    private final int[] cuts;
    private int pos;
    private int nextCut;
    int singleByteReads;

    ScriptedInputStream(byte[] bytes, int... cuts) {
        this.bytes = bytes;
        this.cuts = Arrays.stream(cuts).filter(c -> c > 0 && c < bytes.length).sorted().distinct().toArray();
    }

    /** One byte per read: every position is a cut. */
    static ScriptedInputStream bytewise(byte[] bytes) {
        int[] cuts = new int[Math.max(0, bytes.length - 1)];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = i + 1;
        }
        return new ScriptedInputStream(bytes, cuts);
    }

    @Override
    public int read() {
        singleByteReads++;
        return pos < bytes.length ? bytes[pos++] & 0xff : -1;
    }

    @Override
    public int read(byte[] into, int off, int len) {
        if (len == 0) {
            return 0;
        }
        if (pos == bytes.length) {
            return -1;
        }
        while (nextCut < cuts.length && cuts[nextCut] <= pos) {
            nextCut++;
        }
        int end = nextCut < cuts.length ? cuts[nextCut] : bytes.length;
        int n = Math.min(len, end - pos);
        System.arraycopy(bytes, pos, into, off, n);
        pos += n;
        return n;
    }
}
