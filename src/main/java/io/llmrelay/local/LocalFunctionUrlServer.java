package io.llmrelay.local;

import io.llmrelay.functionurl.HttpIntegrationPrelude;
import io.llmrelay.runtime.FunctionEnvironment;
import io.llmrelay.runtime.HandlerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * A Lambda Function URL on 127.0.0.1: each HTTP request becomes a payload-2.0 event, runs through
 * the real runtime loop and Runtime API protocol (via {@link LocalRuntimeApi}), and the streamed
 * response is read back as Lambda reads it (prelude, 8 NULs, body) and forwarded chunk by chunk.
 * {@code sam local} cannot do this (aws-sam-cli issue 6501): it buffers the whole response.
 */
public final class LocalFunctionUrlServer implements AutoCloseable {
    /** Lambda's limit on a synchronous invocation's request payload. */
    static final int MAX_REQUEST_BYTES = 6 * 1024 * 1024;
    /** Cuts responses still streaming at their invocation's deadline. */
    private static final ScheduledThreadPoolExecutor DEADLINES = deadlineTimer();

    private final LocalRuntimeApi runtimeApi;
    private final ExecutionEnvironments environments;
    private final Server server;
    private final ServerConnector connector;
    private final long timeoutMs;
    private final PrintStream log;

    /**
     * @param maxEnvironments how many invocations may run at once (Lambda's concurrency)
     * @param timeoutMs       the function timeout: each invocation's deadline
     */
    public record Options(String host, int port, int maxEnvironments, long timeoutMs, FunctionEnvironment function) {
        public static Options defaults(int port) {
            return new Options("127.0.0.1", port, 16, 300_000,
                    new FunctionEnvironment("llm-relay-local", "$LATEST", 1024, "/aws/lambda/llm-relay-local", "local"));
        }
    }

    private LocalFunctionUrlServer(LocalRuntimeApi runtimeApi, HandlerFactory handlers, Options options,
            PrintStream log) {
        this.runtimeApi = runtimeApi;
        this.timeoutMs = options.timeoutMs();
        this.log = log;
        this.environments = new ExecutionEnvironments(runtimeApi, handlers, options.function(),
                options.maxEnvironments(), log);
        QueuedThreadPool threads = new QueuedThreadPool(Math.max(32, options.maxEnvironments() * 2 + 8), 4);
        threads.setName("function-url");
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost(options.host());
        connector.setPort(options.port());
        server.addConnector(connector);
        server.setHandler(new FunctionUrlBridge());
    }

    /**
     * Starts the Runtime API, the first execution environment (its init runs now, as a cold start
     * would) and the HTTP listener.
     *
     * @throws IllegalStateException when the function's init fails; the message has the error
     */
    public static LocalFunctionUrlServer start(HandlerFactory handlers, Options options, PrintStream log)
            throws Exception {
        LocalRuntimeApi api = LocalRuntimeApi.start();
        LocalFunctionUrlServer server = new LocalFunctionUrlServer(api, handlers, options, log);
        try {
            if (!server.environments.startFirst()) {
                throw new IllegalStateException("the function failed to initialise: "
                        + String.join("; ", api.initErrors()));
            }
            server.server.start();
        } catch (Exception e) {
            server.close();
            throw e;
        }
        return server;
    }

    public URI url() {
        return URI.create("http://" + connector.getHost() + ":" + connector.getLocalPort());
    }

    @Override
    public void close() throws Exception {
        try {
            server.stop();
        } finally {
            runtimeApi.close();
        }
    }

    /** Turns one HTTP exchange into one invocation. Blocking: Jetty runs it on a pool thread. */
    private final class FunctionUrlBridge extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            byte[] body = readBody(request);
            if (body == null) {
                return plain(response, callback, 413, "{\"Message\":\"Request must be smaller than "
                        + MAX_REQUEST_BYTES + " bytes for the InvokeFunction operation\"}");
            }
            List<Map.Entry<String, String>> headers = new ArrayList<>();
            for (HttpField field : request.getHeaders()) {
                headers.add(Map.entry(field.getName(), field.getValue()));
            }
            String host = request.getHeaders().get(HttpHeader.HOST);
            byte[] event = FunctionUrlEvents.build(request.getMethod(), request.getHttpURI().getPath(),
                    request.getHttpURI().getQuery(), headers, body, Request.getRemoteAddr(request),
                    host == null ? "127.0.0.1" : host);
            PendingInvocation invocation = runtimeApi.submit(event, timeoutMs);
            environments.scaleForQueue();

            PendingInvocation.Result result;
            try {
                result = invocation.result().get(timeoutMs, TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                log.println("serve: invocation " + invocation.requestId() + " timed out after " + timeoutMs + " ms");
                return plain(response, callback, 504, "{\"Message\":\"Task timed out\"}");
            } catch (ExecutionException e) {
                return plain(response, callback, 502, "{\"Message\":\"Internal Server Error\"}");
            }
            if (result instanceof PendingInvocation.Failed failed) {
                // What a Function URL answers when the function reports an error.
                log.println("serve: invocation " + invocation.requestId() + " failed: " + failed.errorType()
                        + " " + failed.errorBody());
                return plain(response, callback, 502, "{\"Message\":\"Internal Server Error\"}");
            }
            forward((PendingInvocation.Streamed) result, invocation, response, callback);
            return true;
        }
    }

    private void forward(PendingInvocation.Streamed streamed, PendingInvocation invocation, Response response,
            Callback callback) {
        InputStream body = streamed.body();
        // Lambda stops an invocation at its deadline, streaming or not, and the caller's response
        // just ends there. serve does the same, so a function that ignores its deadline shows here.
        AtomicBoolean timedOut = new AtomicBoolean();
        ScheduledFuture<?> deadline = DEADLINES.schedule(() -> {
            if (body instanceof ChunkPipe pipe) {
                timedOut.set(true);
                pipe.abort(new IOException("Task timed out after " + timeoutMs + " ms"));
            }
        }, Math.max(0, invocation.deadlineEpochMs() - System.currentTimeMillis()), TimeUnit.MILLISECONDS);
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
            if (body instanceof ChunkPipe pipe) {
                for (byte[] chunk = pipe.readChunk(); chunk != null; chunk = pipe.readChunk()) {
                    out.write(chunk);
                    out.flush(); // each chunk from the function leaves on its own: no batching
                }
            } else {
                byte[] buffer = new byte[8 * 1024];
                for (int n = body.read(buffer); n != -1; n = body.read(buffer)) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
            out.close();
            callback.succeeded();
        } catch (IOException e) {
            closeQuietly(body); // tells the function's side that nobody is reading any more
            PendingInvocation.StreamEnd end = streamed.completion().getNow(null);
            String why = timedOut.get()
                    ? "timed out after " + timeoutMs + " ms mid-stream; the response was cut off, as Lambda does"
                    : end != null && !end.succeeded()
                    ? "the function failed mid-stream: " + end.errorType() + " " + end.errorBody()
                    : "the client went away before the response was complete (" + e + ")";
            log.println("serve: invocation " + invocation.requestId() + ": " + why);
            // Abort the exchange: the client sees a cut-off body, as from a Function URL.
            callback.failed(e);
        } finally {
            deadline.cancel(false);
        }
    }

    private static ScheduledThreadPoolExecutor deadlineTimer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, r -> {
            Thread thread = new Thread(r, "serve-invocation-deadlines");
            thread.setDaemon(true);
            return thread;
        });
        // A finished response cancels its cut; without this the cancelled task (and the response's
        // pipe) would stay queued until the deadline, minutes later.
        timer.setRemoveOnCancelPolicy(true);
        return timer;
    }

    private static void closeQuietly(InputStream body) {
        try {
            body.close();
        } catch (IOException ignored) {
            // the pipe's close cannot fail; InputStream merely declares it
        }
    }

    /** The whole request body, or null when it exceeds Lambda's payload limit. */
    private static byte[] readBody(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > MAX_REQUEST_BYTES) {
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(MAX_REQUEST_BYTES + 1);
            return body.length > MAX_REQUEST_BYTES ? null : body;
        }
    }

    private static boolean plain(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
