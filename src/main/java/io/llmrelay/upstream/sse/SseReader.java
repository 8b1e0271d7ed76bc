package io.llmrelay.upstream.sse;

import io.llmrelay.stages.Stages;
import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A strict Server-Sent Events reader, after the WHATWG "event stream interpretation" algorithm
 * (https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation)
 * and OkHttp's {@code ServerSentEventReader}.
 *
 * <p>Lines come from {@link SseLines} (LF, CRLF or CR; decoded as UTF-8 only once complete, so
 * a character whose bytes straddle two reads stays intact). An event still open at end of stream
 * is dropped, as the spec says: a truncated upstream must not look like a complete chunk.
 *
 * <p>Not thread-safe: one reader belongs to one stream. After an {@link IOException} the reader
 * is unusable.
 */
public final class SseReader implements Closeable {
    /** Generous for any chat chunk, small enough that a runaway upstream cannot exhaust a Lambda's memory. */
    public static final int DEFAULT_MAX_EVENT_BYTES = 8 * 1024 * 1024;

    private static final byte[] DATA = ascii("data");
    private static final byte[] EVENT = ascii("event");
    private static final byte[] ID = ascii("id");
    /** A data buffer grown past this by one big event is let go afterwards, not kept for the stream's life. */
    private static final int RETAINED_BUFFER_BYTES = 64 * 1024;

    private final SseLines lines;
    private final int maxEventBytes;

    private final GrowableBytes data = new GrowableBytes();
    private boolean hasData;
    private String eventType;
    private String lastEventId;

    public SseReader(InputStream in) {
        this(in, DEFAULT_MAX_EVENT_BYTES);
    }

    /** @param maxEventBytes the most bytes one event (its data plus the line being read) may hold */
    public SseReader(InputStream in, int maxEventBytes) {
        if (maxEventBytes <= 0) {
            throw new IllegalArgumentException("maxEventBytes must be positive, was " + maxEventBytes);
        }
        this.maxEventBytes = maxEventBytes;
        this.lines = new SseLines(in, this::checkSize);
    }

    /** Returns the next dispatched event, or null at end of stream. */
    public SseEvent next() throws IOException {
        while (lines.next()) {
            if (lines.lineLength == 0) {
                if (hasData) {
                    if (Stages.ON) {
                        Stages.mark(Stages.Stage.EVENT);
                    }
                    return dispatch();
                }
                eventType = null; // a blank line without data still ends the (empty) event
                continue;
            }
            processField(lines.line, lines.lineStart, lines.lineStart + lines.lineLength);
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        lines.close();
    }

    private void checkSize(int lineBytes) throws IOException {
        if ((long) data.size + lineBytes > maxEventBytes) {
            throw new IOException("Server-Sent Event exceeds the limit of " + maxEventBytes
                    + " bytes; refusing to buffer more of it");
        }
    }

    private void processField(byte[] b, int start, int end) {
        int colon = indexOf(b, start, end, (byte) ':');
        if (colon == start) {
            return; // a comment, often a keep-alive
        }
        int nameEnd = colon < 0 ? end : colon;
        int valueStart = colon < 0 ? end : colon + 1;
        if (valueStart < end && b[valueStart] == ' ') {
            valueStart++;
        }
        if (nameIs(b, start, nameEnd, DATA)) {
            // The spec appends the value and an LF to the data buffer, and "dispatch the event"
            // returns early only for an empty buffer, then strips one trailing LF
            // (https://html.spec.whatwg.org/multipage/server-sent-events.html#dispatchMessage):
            // so a bare "data:" line dispatches an event whose data is "". hasData stands for that LF.
            if (hasData) {
                data.append((byte) '\n');
            }
            data.append(b, valueStart, end - valueStart);
            hasData = true;
        } else if (nameIs(b, start, nameEnd, EVENT)) {
            eventType = utf8(b, valueStart, end);
        } else if (nameIs(b, start, nameEnd, ID)) {
            if (indexOf(b, valueStart, end, (byte) 0) < 0) { // the spec ignores ids containing NUL
                lastEventId = utf8(b, valueStart, end);
            }
        }
        // "retry" and unknown fields are ignored: a relay does not reconnect.
    }

    private SseEvent dispatch() {
        SseEvent event = new SseEvent(
                eventType == null || eventType.isEmpty() ? null : eventType,
                new String(data.bytes, 0, data.size, StandardCharsets.UTF_8),
                lastEventId);
        if (data.bytes.length > RETAINED_BUFFER_BYTES) {
            data.bytes = new byte[256];
        }
        data.reset();
        hasData = false;
        eventType = null;
        return event;
    }

    private static int indexOf(byte[] b, int start, int end, byte wanted) {
        for (int i = start; i < end; i++) {
            if (b[i] == wanted) {
                return i;
            }
        }
        return -1;
    }

    private static boolean nameIs(byte[] b, int start, int end, byte[] name) {
        return end - start == name.length && Arrays.equals(b, start, end, name, 0, name.length);
    }

    private static String utf8(byte[] b, int start, int end) {
        return new String(b, start, end - start, StandardCharsets.UTF_8);
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
