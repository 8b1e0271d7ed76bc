package io.llmrelay.relay.out;

import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.stages.Stages;
import java.io.IOException;
import java.io.OutputStream;

/**
 * One request's response as the relay writes it. Every byte of an answer goes out through
 * {@link #send}: scrubbed of the upstream keys resolved for the request, flushed at once, counted in
 * the request log.
 */
public final class CallerOutput {
    private final FunctionUrlResponse response;
    private final RequestLog log;
    private ResponseScrubber scrubber = ResponseScrubber.NONE;
    private ChunkWriter stream;

    public CallerOutput(FunctionUrlResponse response, RequestLog log) {
        this.response = response;
        this.log = log;
    }

    public FunctionUrlResponse response() {
        return response;
    }

    public RequestLog log() {
        return log;
    }

    public ResponseScrubber scrubber() {
        return scrubber;
    }

    /** From now on, what goes out is scrubbed of these keys (set once the upstream keys are resolved). */
    public void scrubWith(ResponseScrubber keys) {
        scrubber = keys;
    }

    /** The writer of this answer's stream, in the caller's wire format: what a failure mid-stream is told in. */
    void streamsWith(ChunkWriter writer) {
        stream = writer;
    }

    /** The stream's writer; null when no stream writer was made. */
    ChunkWriter stream() {
        return stream;
    }

    /** Whether the first byte went to the caller: from then on a failure can only be told inside the body. */
    public boolean committed() {
        return response.isCommitted();
    }

    /** Scrubs, writes and flushes {@code bytes}: one chunk (or whole body) of the answer. */
    public void send(byte[] bytes) throws CallerGoneException, ResponseScrubber.OutOfTime {
        byte[] clean = scrubber.answer(bytes);
        OutputStream out = response.body();
        try {
            out.write(clean);
            out.flush();
            if (Stages.ON) {
                Stages.mark(Stages.Stage.WRITTEN);
            }
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
        log.sent(clean.length);
    }
}
