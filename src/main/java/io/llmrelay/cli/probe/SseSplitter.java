package io.llmrelay.cli.probe;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Splits an event stream into Server-Sent Events as its bytes arrive, so each event can be
 * timestamped by the read that delivered its last byte. The push-side twin of
 * {@link io.llmrelay.openai.SseReader} (which pulls from an InputStream, and would hide when a
 * byte arrived), after the same WHATWG rules
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation):
 * lines end with LF, CRLF or CR (also a CR and LF split across reads); a leading BOM is skipped;
 * lines starting with ':' are comments; {@code data} lines are joined with LF; a blank line
 * dispatches an event that has data; other fields are ignored.
 *
 * <p>Not thread-safe: one splitter belongs to one stream, fed by one thread at a time.
 */
final class SseSplitter {
    /** Receives each complete event with the time its last byte arrived. */
    @FunctionalInterface
    interface Sink {
        void event(String data, long arrivedNanos);
    }

    /** An event or line larger than the limit: the stream is not the chat stream it claims to be. */
    static final class TooLarge extends RuntimeException {
        TooLarge(int limit) {
            super("an event larger than " + limit + " bytes");
        }
    }

    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};

    private final int maxEventBytes;
    private final Sink sink;
    private byte[] line = new byte[256];
    private int lineLength;
    private byte[] data = new byte[256];
    private int dataLength;
    private boolean hasData;
    private boolean swallowLf;
    /** Bytes of a possible BOM matched so far; -1 once the stream's start has been decided. */
    private int bomMatched;

    SseSplitter(int maxEventBytes, Sink sink) {
        this.maxEventBytes = maxEventBytes;
        this.sink = sink;
    }

    /** Consumes all of {@code bytes}, which arrived at {@code arrivedNanos}. */
    void feed(ByteBuffer bytes, long arrivedNanos) {
        while (bytes.hasRemaining()) {
            accept(bytes.get(), arrivedNanos);
        }
    }

    /** True when the stream so far ends inside an event (which SSE then discards). */
    boolean midEvent() {
        return lineLength > 0 || hasData || (bomMatched > 0);
    }

    private void accept(byte b, long nanos) {
        if (bomMatched >= 0) {
            if (b == BOM[bomMatched]) {
                if (++bomMatched == BOM.length) {
                    bomMatched = -1;
                }
                return;
            }
            int matched = bomMatched;
            bomMatched = -1;
            for (int i = 0; i < matched; i++) {
                accept(BOM[i], nanos);
            }
        }
        if (swallowLf) {
            swallowLf = false;
            if (b == '\n') {
                return;
            }
        }
        if (b == '\n' || b == '\r') {
            swallowLf = b == '\r';
            endLine(nanos);
            return;
        }
        if (lineLength == line.length) {
            checkSize(lineLength + 1);
            line = Arrays.copyOf(line, line.length * 2);
        }
        line[lineLength++] = b;
    }

    private void endLine(long nanos) {
        if (lineLength == 0) {
            if (hasData) {
                String event = new String(data, 0, dataLength, StandardCharsets.UTF_8);
                dataLength = 0;
                hasData = false;
                sink.event(event, nanos);
            }
            return;
        }
        processField();
        lineLength = 0;
    }

    private void processField() {
        int colon = indexOfColon();
        if (colon == 0) {
            return; // a comment, often a keep-alive
        }
        int nameEnd = colon < 0 ? lineLength : colon;
        if (nameEnd != 4 || line[0] != 'd' || line[1] != 'a' || line[2] != 't' || line[3] != 'a') {
            return; // event, id, retry and unknown fields say nothing about timing
        }
        int valueStart = colon < 0 ? lineLength : colon + 1;
        if (valueStart < lineLength && line[valueStart] == ' ') {
            valueStart++;
        }
        int valueLength = lineLength - valueStart;
        int needed = dataLength + (hasData ? 1 : 0) + valueLength;
        checkSize(needed);
        if (needed > data.length) {
            data = Arrays.copyOf(data, Math.max(needed, data.length * 2));
        }
        if (hasData) {
            data[dataLength++] = '\n';
        }
        System.arraycopy(line, valueStart, data, dataLength, valueLength);
        dataLength += valueLength;
        hasData = true;
    }

    private int indexOfColon() {
        for (int i = 0; i < lineLength; i++) {
            if (line[i] == ':') {
                return i;
            }
        }
        return -1;
    }

    private void checkSize(int bytes) {
        if (bytes > maxEventBytes) {
            throw new TooLarge(maxEventBytes);
        }
    }
}
