package io.llmrelay.local;

import io.llmrelay.functionurl.HttpIntegrationPrelude;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Forwards a streamed function response to its caller as a Function URL does: the prelude
 * becomes the status and headers, then every chunk leaves on its own as it arrives. Lambda stops
 * an invocation at its deadline, streaming or not, and the caller's response just ends there;
 * serve does the same (the body's reads end at the deadline), so a function that ignores its
 * deadline shows here. However the answer ends early, the invocation is abandoned so the
 * function's next write fails.
 *
 * <p>Of the ways an answer ends early, serve has a line only for the one it causes: the deadline.
 * A caller that went away is the function's request log line ({@code caller_disconnected}), and a
 * function that failed mid-stream says so in its own log (the runtime loop's line): one event, one
 * line.
 */
final class ResponseForwarder {
    private final LocalRuntimeApi runtimeApi;
    private final long timeoutMs;
    private final PrintStream log;

    ResponseForwarder(LocalRuntimeApi runtimeApi, long timeoutMs, PrintStream log) {
        this.runtimeApi = runtimeApi;
        this.timeoutMs = timeoutMs;
        this.log = log;
    }

    void forward(PendingInvocation.Streamed streamed, PendingInvocation invocation, CallerWatch watch,
            Response response, Callback callback) {
        InputStream body = streamed.body();
        try {
            if (streamed.contentType().startsWith(HttpIntegrationPrelude.CONTENT_TYPE)) {
                HttpIntegrationPrelude prelude = HttpIntegrationPrelude.read(body);
                response.setStatus(prelude.statusCode());
                prelude.headers().forEach((name, value) -> response.getHeaders().put(name, value));
                prelude.cookies().forEach(cookie -> response.getHeaders().add(HttpHeader.SET_COOKIE, cookie));
            } else {
                response.setStatus(200);
                response.getHeaders().put(HttpHeader.CONTENT_TYPE, streamed.contentType());
            }
            OutputStream out = Content.Sink.asOutputStream(response);
            copy(body, out);
            watch.stop(); // before the last chunk: once the caller has it, it may send its next request
            try {
                out.close();
            } catch (IOException e) {
                throw new CallerGone(e);
            }
            callback.succeeded();
        } catch (IOException e) {
            boolean timedOut = e instanceof ChunkPipe.DeadlinePassed
                    || e instanceof PendingInvocation.Abandoned abandoned && abandoned.timedOut();
            // Decided before the abandon below, which makes the function's side fail too.
            String untold = timedOut ? "timed out after " + timeoutMs
                    + " ms mid-stream; the response was cut off, as Lambda does" : unexplained(e, watch, streamed);
            runtimeApi.abandon(invocation, timedOut
                    ? PendingInvocation.Abandoned.deadlinePassed() : PendingInvocation.Abandoned.callerGone());
            watch.stop();
            closeQuietly(body); // tells the function's side that nobody is reading any more
            if (untold != null) {
                log.println("serve: invocation " + invocation.requestId() + ": " + untold);
            }
            // Abort the exchange: the client sees a cut-off body, as from a Function URL.
            callback.failed(e);
        }
    }

    /** Thrown by {@link #copy} when a write to the caller fails: the caller went away. */
    private static final class CallerGone extends IOException {
        CallerGone(IOException cause) {
            super("the client went away: " + cause.getMessage(), cause);
        }
    }

    /** Each chunk from the function is written and flushed on its own: no batching. */
    private static void copy(InputStream body, OutputStream out) throws IOException {
        if (body instanceof ChunkPipe pipe) {
            for (byte[] chunk = pipe.readChunk(); chunk != null; chunk = pipe.readChunk()) {
                send(out, chunk, chunk.length);
            }
            return;
        }
        byte[] buffer = new byte[8 * 1024];
        for (int n = body.read(buffer); n != -1; n = body.read(buffer)) {
            send(out, buffer, n);
        }
    }

    private static void send(OutputStream out, byte[] bytes, int length) throws CallerGone {
        try {
            out.write(bytes, 0, length);
            out.flush();
        } catch (IOException e) {
            throw new CallerGone(e);
        }
    }

    /**
     * What nobody else will say of an answer that ended early, not at the deadline: nothing (null)
     * when the caller went away (the function's request log line says it) or the function reported
     * its failure (its runtime loop logged it); otherwise how the function's response broke off.
     */
    private static String unexplained(IOException e, CallerWatch watch, PendingInvocation.Streamed streamed) {
        if (e instanceof CallerGone || e instanceof PendingInvocation.Abandoned || watch.gone()) {
            return null;
        }
        PendingInvocation.StreamEnd end = streamed.completion().getNow(null);
        if (end != null && !end.succeeded() && !ResponseReceiver.CONNECTION_ERROR.equals(end.errorType())) {
            return null;
        }
        return "the function's response broke off mid-stream (" + e.getMessage() + ")";
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the pipe's close cannot fail; InputStream merely declares it
        }
    }
}
