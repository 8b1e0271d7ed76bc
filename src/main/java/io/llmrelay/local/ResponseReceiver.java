package io.llmrelay.local;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.Trailers;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.server.Request;

/**
 * Receives one streamed {@code POST /runtime/invocation/{id}/response}: forwards the body chunk by
 * chunk as Jetty decodes it, and reads the trailers that end it. Blocking is fine here: Jetty runs
 * the Runtime API's handler on a pool thread. Every wait ends at the invocation's deadline at the
 * latest, and a response for an invocation whose caller is gone is refused with a reset.
 */
final class ResponseReceiver {
    /** The error type of a response whose connection broke: serve's word, not the function's. */
    static final String CONNECTION_ERROR = "Runtime.ConnectionError";

    private final PendingInvocation invocation;
    private final Request request;
    private final ChunkPipe pipe;
    private long bytes;
    private HttpFields trailers;

    private ResponseReceiver(PendingInvocation invocation, Request request, ChunkPipe pipe) {
        this.invocation = invocation;
        this.request = request;
        this.pipe = pipe;
    }

    /** What became of the body: the handler answers 202 when it arrived whole, else drops the exchange. */
    enum Outcome { RECEIVED, BROKEN }

    static Outcome receive(PendingInvocation invocation, Map<String, String> headers, Request request) {
        ChunkPipe pipe = new ChunkPipe(invocation.deadlineEpochMs());
        EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        if (!invocation.responding(ConnectionReset.of(endPoint), pipe)) {
            ConnectionReset.reset(endPoint);
            return Outcome.BROKEN;
        }
        CompletableFuture<PendingInvocation.StreamEnd> completion = new CompletableFuture<>();
        invocation.result().complete(new PendingInvocation.Streamed(headers, pipe, completion));
        return new ResponseReceiver(invocation, request, pipe).forward(completion);
    }

    /** Forwards the body, then gives the verdict: its trailers, or how it broke off. */
    private Outcome forward(CompletableFuture<PendingInvocation.StreamEnd> completion) {
        try {
            forwardBody();
        } catch (IOException e) {
            invocation.answered();
            completion.complete(new PendingInvocation.StreamEnd(bytes, CONNECTION_ERROR, e.getMessage()));
            pipe.fail(e);
            return Outcome.BROKEN;
        }
        invocation.answered();
        String errorType = trailers == null ? null : trailers.get("Lambda-Runtime-Function-Error-Type");
        String errorBody = errorType == null ? null : errorBody(trailers.get("Lambda-Runtime-Function-Error-Body"));
        // The verdict is known before the reader can reach the end of the body.
        completion.complete(new PendingInvocation.StreamEnd(bytes, errorType, errorBody));
        if (errorType != null) {
            pipe.fail(new IOException("the function failed mid-stream: " + errorType));
        } else {
            try {
                pipe.end();
            } catch (IOException readerGone) {
                // the body arrived whole; nobody is left to read its end
            }
        }
        return Outcome.RECEIVED;
    }

    /** Each chunk into the pipe as Jetty decodes it, up to the last one (which may carry the trailers). */
    private void forwardBody() throws IOException {
        while (true) {
            Content.Chunk chunk = request.read();
            if (chunk == null) {
                awaitContent(request, invocation.deadlineEpochMs());
                continue;
            }
            if (Content.Chunk.isFailure(chunk)) {
                throw new IOException("the response stream broke off", chunk.getFailure());
            }
            if (chunk instanceof Trailers t) {
                trailers = t.getTrailers();
            }
            ByteBuffer data = chunk.getByteBuffer();
            if (data.hasRemaining()) {
                byte[] copy = new byte[data.remaining()];
                data.get(copy);
                bytes += copy.length;
                pipe.send(copy);
            }
            chunk.release();
            if (chunk.isLast()) {
                return;
            }
        }
    }

    /** Waits until Jetty has more of the body (or knows it failed), at most until the deadline. */
    private static void awaitContent(Request request, long deadlineEpochMs) throws IOException {
        CountDownLatch ready = new CountDownLatch(1);
        request.demand(ready::countDown);
        try {
            long left = deadlineEpochMs - System.currentTimeMillis();
            if (left <= 0 || !ready.await(left, TimeUnit.MILLISECONDS)) {
                throw new ChunkPipe.DeadlinePassed();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while receiving a response", e);
        }
    }

    /** The decoded error-body trailer; one that is not base64 is passed on as it came. */
    private static String errorBody(String encoded) {
        if (encoded == null) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException notBase64) {
            return encoded;
        }
    }
}
