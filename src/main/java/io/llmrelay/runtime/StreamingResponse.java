package io.llmrelay.runtime;

import io.llmrelay.runtime.http.HttpConnection;
import io.llmrelay.streaming.ContentTypeChoice;
import java.io.IOException;
import java.io.OutputStream;

/**
 * The {@link OutputStream} a handler receives: the invocation's response, streamed to
 * {@code POST /runtime/invocation/{id}/response} with {@code Transfer-Encoding: chunked}. Every
 * {@code write} is one chunk, on the wire when {@code write} returns; nothing collects the
 * response. Until the first byte the content type may still be chosen ({@link ContentTypeChoice}).
 *
 * <p>The response ends with {@link #finish()} (or {@link #close()}), or, after bytes went out,
 * with {@link #fail}, which reports the failure in the trailers the head announced. Either end is
 * answered by the Runtime API: 202 is success, any other status a
 * {@link RuntimeApiStatusException}, a cut or malformed reply an {@link IOException} after which
 * the connection is dropped.
 */
public final class StreamingResponse extends OutputStream implements ContentTypeChoice {
    private final RuntimeApiClient api;
    private final HttpConnection connection;
    private final Invocation invocation;
    private String contentType = "application/octet-stream";
    private boolean headSent;
    private boolean finished;
    private boolean broken;
    private long bytesWritten;

    StreamingResponse(RuntimeApiClient api, HttpConnection connection, Invocation invocation) {
        this.api = api;
        this.connection = connection;
        this.invocation = invocation;
    }

    @Override
    public void setContentType(String contentType) {
        if (headSent) {
            throw new IllegalStateException("the response has started; its content type is fixed");
        }
        this.contentType = contentType;
    }

    /** True once any byte (or the response head) has gone to the Runtime API. */
    public boolean isCommitted() {
        return headSent;
    }

    public boolean isFinished() {
        return finished;
    }

    public long bytesWritten() {
        return bytesWritten;
    }

    /**
     * True once one of the handler's writes or flushes failed: the connection under the response
     * is gone (it was dropped), so the response can be neither completed nor failed, and the
     * handler knows, from the exception that write threw.
     */
    public boolean isBroken() {
        return broken;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("the response of " + invocation.requestId() + " is already complete");
        }
        if (len == 0) {
            return;
        }
        try {
            sendHeadOnce();
            connection.writeChunk(b, off, len);
        } catch (IOException e) {
            broken = true;
            throw e;
        }
        bytesWritten += len;
    }

    @Override
    public void flush() throws IOException {
        if (headSent && !finished) {
            try {
                connection.flush();
            } catch (IOException e) {
                broken = true;
                throw e;
            }
        }
    }

    /** Ends the response successfully: the last chunk, then Lambda's 202. Idempotent. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        finished = true;
        sendHeadOnce();
        api.endResponse(null);
    }

    /**
     * Ends a response that already sent bytes with a failure, reported in the trailers that the
     * request head announced.
     */
    public void fail(ErrorReport error) throws IOException {
        if (finished) {
            throw new IllegalStateException("the response is already complete");
        }
        finished = true;
        sendHeadOnce();
        api.endResponse(error);
    }

    /** Closing the stream completes the response, as ending a Node.js response stream does. */
    @Override
    public void close() throws IOException {
        finish();
    }

    private void sendHeadOnce() throws IOException {
        if (!headSent) {
            headSent = true;
            api.startResponse(invocation, contentType);
        }
    }
}
