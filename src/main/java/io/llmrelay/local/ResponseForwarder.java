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
            out.close();
            callback.succeeded();
        } catch (IOException e) {
            boolean timedOut = e instanceof ChunkPipe.DeadlinePassed
                    || e instanceof PendingInvocation.Abandoned abandoned && abandoned.timedOut();
            runtimeApi.abandon(invocation, timedOut
                    ? PendingInvocation.Abandoned.deadlinePassed() : PendingInvocation.Abandoned.callerGone());
            watch.stop();
            closeQuietly(body); // tells the function's side that nobody is reading any more
            log.println("serve: invocation " + invocation.requestId() + ": " + why(e, timedOut, streamed));
            // Abort the exchange: the client sees a cut-off body, as from a Function URL.
            callback.failed(e);
        }
    }

    /** Each chunk from the function is written and flushed on its own: no batching. */
    private static void copy(InputStream body, OutputStream out) throws IOException {
        if (body instanceof ChunkPipe pipe) {
            for (byte[] chunk = pipe.readChunk(); chunk != null; chunk = pipe.readChunk()) {
                out.write(chunk);
                out.flush();
            }
            return;
        }
        byte[] buffer = new byte[8 * 1024];
        for (int n = body.read(buffer); n != -1; n = body.read(buffer)) {
            out.write(buffer, 0, n);
            out.flush();
        }
    }

    private String why(IOException e, boolean timedOut, PendingInvocation.Streamed streamed) {
        if (timedOut) {
            return "timed out after " + timeoutMs + " ms mid-stream; the response was cut off, as Lambda does";
        }
        if (e instanceof PendingInvocation.Abandoned) {
            return "the client went away mid-stream; the function's next write fails";
        }
        PendingInvocation.StreamEnd end = streamed.completion().getNow(null);
        if (end != null && !end.succeeded()) {
            return "the function failed mid-stream: " + end.errorType() + " " + end.errorBody();
        }
        return "the client went away before the response was complete (" + e + ")";
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the pipe's close cannot fail; InputStream merely declares it
        }
    }
}
