package io.llmrelay.functionurl;

import io.llmrelay.streaming.ContentTypeChoice;
import java.io.IOException;
import java.io.OutputStream;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A streamed Function URL response: set the status and headers, then write the body. The
 * prelude goes out with the first body byte (or at {@link #close()} for an empty body), so the
 * status stays open to change until then.
 *
 * <p>The framing's content type is set on the stream underneath when it offers
 * {@link ContentTypeChoice} (the runtime's response stream does); any other stream gets the
 * same bytes.
 *
 * <p>Under {@code sam local invoke} ({@code AWS_SAM_LOCAL=true}) the prelude is left out: the
 * emulator prints the raw response and a person wants to read the body there.
 */
public final class FunctionUrlResponse implements AutoCloseable {
    private final OutputStream raw;
    private final boolean writePrelude;
    private final Map<String, String> headers = new LinkedHashMap<>();
    private final OutputStream body = new BodyStream();
    private int status = 200;
    private boolean committed;
    private boolean closed;

    public FunctionUrlResponse(OutputStream raw, boolean writePrelude) {
        this.raw = raw;
        this.writePrelude = writePrelude;
    }

    /** A response on the handler's output stream, framed as the environment expects. */
    public static FunctionUrlResponse on(OutputStream raw) {
        return new FunctionUrlResponse(raw, !"true".equalsIgnoreCase(System.getenv("AWS_SAM_LOCAL")));
    }

    public FunctionUrlResponse status(int statusCode) {
        requireOpen();
        this.status = statusCode;
        return this;
    }

    /** Sets a header (names are lower-cased; Function URLs carry one value per name). */
    public FunctionUrlResponse header(String name, String value) {
        requireOpen();
        headers.put(name.toLowerCase(Locale.ROOT), value);
        return this;
    }

    public int status() {
        return status;
    }

    public boolean isCommitted() {
        return committed;
    }

    /** The body: its first byte sends the head. Flush to push what was written out at once. */
    public OutputStream body() {
        return body;
    }

    /** A whole response in one go, for short answers such as errors. */
    public void send(int statusCode, String contentType, byte[] content) throws IOException {
        status(statusCode);
        header("content-type", contentType);
        body.write(content);
        close();
    }

    /** Completes the response (sending the head if no body byte did). */
    @Override
    public void close() throws IOException {
        if (closed) {
            return;
        }
        commit();
        closed = true;
        raw.flush();
    }

    private void requireOpen() {
        if (committed) {
            throw new IllegalStateException("the response head has been sent");
        }
    }

    private void commit() throws IOException {
        if (!committed) {
            commit(new byte[0], 0, 0);
        }
    }

    /** Sends the head together with the first body bytes: one chunk, one packet. */
    private void commit(byte[] first, int off, int len) throws IOException {
        committed = true;
        if (raw instanceof ContentTypeChoice choice) {
            choice.setContentType(writePrelude
                    ? HttpIntegrationPrelude.CONTENT_TYPE
                    : headers.getOrDefault("content-type", "application/octet-stream"));
        }
        if (!writePrelude) {
            raw.write(first, off, len);
            return;
        }
        byte[] head = new HttpIntegrationPrelude(status, Map.copyOf(headers), List.of()).encode();
        byte[] both = new byte[head.length + len];
        System.arraycopy(head, 0, both, 0, head.length);
        System.arraycopy(first, off, both, head.length, len);
        raw.write(both);
    }

    private final class BodyStream extends OutputStream {
        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("the response is complete");
            }
            if (!committed) {
                commit(b, off, len);
                return;
            }
            raw.write(b, off, len);
        }

        @Override
        public void flush() throws IOException {
            commit();
            raw.flush();
        }

        @Override
        public void close() throws IOException {
            FunctionUrlResponse.this.close();
        }
    }
}
