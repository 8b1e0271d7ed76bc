package io.llmrelay.local;

import io.llmrelay.runtime.RuntimeApiClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.Trailers;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * An in-process AWS Lambda Runtime API on 127.0.0.1, for {@code serve} and for tests: the same
 * protocol the runtime loop speaks on Lambda, served by Jetty, whose HTTP/1.1 parser (not ours)
 * decodes our chunked responses and their trailers.
 *
 * <p>Invocations wait in one queue; every execution environment's runtime loop takes the next
 * one with {@code GET next}, so each environment runs one invocation at a time, as on Lambda.
 */
public final class LocalRuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/" + RuntimeApiClient.API_VERSION + "/runtime";
    public static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:llm-relay-local";

    private final Server server;
    private final ServerConnector connector;
    private final BlockingQueue<PendingInvocation> queue = new LinkedBlockingQueue<>();
    private final Map<String, PendingInvocation> inFlight = new ConcurrentHashMap<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private final AtomicInteger waitingInNext = new AtomicInteger();
    private volatile boolean closed;

    private LocalRuntimeApi() {
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setName("runtime-api");
        threads.setDaemon(true);
        server = new Server(threads);
        connector = new ServerConnector(server, 1, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(0); // next is a long poll
        server.addConnector(connector);
        server.setHandler(new RuntimeApiHandler());
    }

    public static LocalRuntimeApi start() throws Exception {
        LocalRuntimeApi api = new LocalRuntimeApi();
        api.server.start();
        return api;
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + connector.getLocalPort();
    }

    /** Queues an invocation; a runtime loop picks it up with its next {@code GET next}. */
    public PendingInvocation submit(byte[] event, long timeoutMs) {
        PendingInvocation invocation = new PendingInvocation(
                UUID.randomUUID().toString(), UUID.randomUUID().toString(), event,
                System.currentTimeMillis() + timeoutMs);
        queue.add(invocation);
        return invocation;
    }

    /** Runtime loops currently blocked in {@code next}, i.e. idle environments. */
    public int idleEnvironments() {
        return waitingInNext.get();
    }

    public int queuedInvocations() {
        return queue.size();
    }

    /** Bodies of {@code POST /runtime/init/error} received so far. */
    public List<String> initErrors() {
        return List.copyOf(initErrors);
    }

    @Override
    public void close() throws Exception {
        closed = true;
        server.stop();
    }

    private final class RuntimeApiHandler extends Handler.Abstract {
        @Override
        public boolean handle(Request request, Response response, Callback callback) throws Exception {
            String path = Request.getPathInContext(request);
            if (!path.startsWith(PREFIX)) {
                return answer(response, callback, 404, "{\"errorMessage\":\"unknown path\",\"errorType\":\"InvalidRequest\"}");
            }
            String route = path.substring(PREFIX.length());
            String method = request.getMethod();
            if (method.equals("GET") && route.equals("/invocation/next")) {
                return next(response, callback);
            }
            if (method.equals("POST") && route.equals("/init/error")) {
                initErrors.add(Content.Source.asString(request, StandardCharsets.UTF_8));
                return answer(response, callback, 202, "{\"status\":\"OK\"}");
            }
            if (method.equals("POST") && route.startsWith("/invocation/")) {
                String[] parts = route.split("/");
                // ["", "invocation", "{id}", "response" | "error"]
                PendingInvocation invocation = parts.length == 4 ? inFlight.remove(parts[2]) : null;
                if (invocation == null) {
                    return answer(response, callback, 400,
                            "{\"errorMessage\":\"unknown or completed request id\",\"errorType\":\"InvalidRequestID\"}");
                }
                if (parts[3].equals("error")) {
                    return error(invocation, request, response, callback);
                }
                if (parts[3].equals("response")) {
                    return streamedResponse(invocation, request, response, callback);
                }
            }
            return answer(response, callback, 404, "{\"errorMessage\":\"unknown path\",\"errorType\":\"InvalidRequest\"}");
        }
    }

    private boolean next(Response response, Callback callback) throws InterruptedException {
        PendingInvocation invocation = null;
        waitingInNext.incrementAndGet();
        try {
            while (!closed && invocation == null) {
                invocation = queue.poll(200, TimeUnit.MILLISECONDS);
            }
        } finally {
            waitingInNext.decrementAndGet();
        }
        if (invocation == null) {
            return answer(response, callback, 500, "{\"errorMessage\":\"the Runtime API is shutting down\"}");
        }
        invocation.delivered();
        inFlight.put(invocation.requestId(), invocation);
        HttpFields.Mutable headers = response.getHeaders();
        headers.put("Lambda-Runtime-Aws-Request-Id", invocation.requestId());
        headers.put("Lambda-Runtime-Deadline-Ms", Long.toString(invocation.deadlineEpochMs()));
        headers.put("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN);
        headers.put("Lambda-Runtime-Trace-Id",
                "Root=1-" + Long.toHexString(System.currentTimeMillis() / 1000) + "-"
                        + invocation.requestId().replace("-", "").substring(0, 24) + ";Sampled=0");
        headers.put("Lambda-Runtime-Invocation-Id", invocation.invocationId());
        headers.put(HttpHeader.CONTENT_TYPE, "application/json");
        response.setStatus(200);
        response.write(true, ByteBuffer.wrap(invocation.event()), callback);
        return true;
    }

    private boolean error(PendingInvocation invocation, Request request, Response response, Callback callback)
            throws IOException {
        String body = Content.Source.asString(request, StandardCharsets.UTF_8);
        Map<String, String> headers = lowerCaseHeaders(request.getHeaders());
        invocation.result().complete(new PendingInvocation.Failed(
                headers, headers.get("lambda-runtime-function-error-type"), body));
        return answer(response, callback, 202, "{\"status\":\"OK\"}");
    }

    /**
     * Forwards the body chunk by chunk as Jetty decodes it, and reads the trailers that end it.
     * Blocking is fine here: Jetty runs this handler on a pool thread.
     */
    private boolean streamedResponse(PendingInvocation invocation, Request request, Response response,
            Callback callback) throws Exception {
        Map<String, String> headers = lowerCaseHeaders(request.getHeaders());
        ChunkPipe pipe = new ChunkPipe();
        CompletableFuture<PendingInvocation.StreamEnd> completion = new CompletableFuture<>();
        invocation.result().complete(new PendingInvocation.Streamed(headers, pipe, completion));
        long bytes = 0;
        HttpFields trailers = null;
        try {
            while (true) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    CountDownLatch ready = new CountDownLatch(1);
                    request.demand(ready::countDown);
                    ready.await();
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
                    break;
                }
            }
        } catch (IOException e) {
            completion.complete(new PendingInvocation.StreamEnd(bytes, "Runtime.ConnectionError", e.getMessage()));
            pipe.fail(e);
            callback.failed(e);
            return true;
        }
        String errorType = trailers == null ? null : trailers.get("Lambda-Runtime-Function-Error-Type");
        String errorBody = null;
        if (errorType != null) {
            String encoded = trailers.get("Lambda-Runtime-Function-Error-Body");
            errorBody = encoded == null ? "" : new String(Base64.getDecoder().decode(encoded.trim()), StandardCharsets.UTF_8);
        }
        // The verdict is known before the reader can reach the end of the body.
        completion.complete(new PendingInvocation.StreamEnd(bytes, errorType, errorBody));
        if (errorType != null) {
            pipe.fail(new IOException("the function failed mid-stream: " + errorType));
        } else {
            pipe.end();
        }
        return answer(response, callback, 202, "{\"status\":\"OK\"}");
    }

    private static boolean answer(Response response, Callback callback, int status, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }

    private static Map<String, String> lowerCaseHeaders(HttpFields fields) {
        Map<String, String> headers = new LinkedHashMap<>();
        for (HttpField field : fields) {
            headers.merge(field.getName().toLowerCase(Locale.ROOT), field.getValue(), (a, b) -> a + ", " + b);
        }
        return headers;
    }
}
