package io.llmrelay.local;

import io.llmrelay.runtime.RuntimeApiClient;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
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
 * An in-process AWS Lambda Runtime API on 127.0.0.1, for {@code serve} and for tests: the same
 * protocol the runtime loop speaks on Lambda, served by Jetty, whose HTTP/1.1 parser (not ours)
 * decodes our chunked responses and their trailers.
 *
 * <p>Invocations wait in one queue; every runtime loop takes the next one with {@code GET next},
 * so each loop runs one invocation at a time, as on Lambda.
 *
 * <p>SnapStart's two calls are served too, for tests and the cold-start benchmark:
 * {@code GET /runtime/restore/next} is answered with an empty 200 (as the runtime interface
 * emulator's RestoreRenderer does) at once, or, after {@link #holdRestore()}, only when
 * {@link #restore()} says so: the moment a snapshot would be restored.
 * {@code POST /runtime/restore/error} is recorded ({@link #restoreErrors()}) and accepted.
 */
public final class LocalRuntimeApi implements AutoCloseable {
    private static final String PREFIX = "/" + RuntimeApiClient.API_VERSION + "/runtime";
    public static final String FUNCTION_ARN = "arn:aws:lambda:us-east-1:000000000000:function:llm-relay-local";

    private final Server server;
    private final ServerConnector connector;
    private final AcceptedConnections accepted = new AcceptedConnections();
    private final InvocationQueue queue = new InvocationQueue();
    private final Map<String, PendingInvocation> inFlight = new ConcurrentHashMap<>();
    private final List<String> initErrors = new CopyOnWriteArrayList<>();
    private final List<String> restoreErrors = new CopyOnWriteArrayList<>();
    private final AtomicInteger nextCalls = new AtomicInteger();
    private final AtomicInteger restoreNextCalls = new AtomicInteger();
    /** Completed with how many {@code next} calls came before the first {@code restore/next}. */
    private final CompletableFuture<Integer> restoreAsked = new CompletableFuture<>();
    private volatile CompletableFuture<Void> restoreRelease = CompletableFuture.completedFuture(null);
    private final InvocationLimit limit;

    private LocalRuntimeApi(int maxHeld) {
        this.limit = new InvocationLimit(maxHeld);
        QueuedThreadPool threads = new QueuedThreadPool(400, 8);
        threads.setName("runtime-api");
        threads.setDaemon(true);
        server = new Server(threads);
        // No acceptor thread: connections are accepted on the selector (see close()). A connector's
        // stop interrupts its acceptor threads, and a thread interrupted just as its blocking
        // accept returned a connection throws ClosedByInterruptException without handing that
        // connection over (the JDK's ServerSocketChannelImpl.accept): it stays open, unanswered,
        // and the runtime that opened it waits on it forever.
        connector = new ServerConnector(server, 0, 1);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        connector.setIdleTimeout(0); // next is a long poll
        connector.addEventListener(accepted);
        server.addConnector(connector);
        server.setHandler(new RuntimeApiHandler());
    }

    /** A Runtime API that queues every invocation it is given. */
    public static LocalRuntimeApi start() throws Exception {
        return start(Integer.MAX_VALUE);
    }

    /**
     * A Runtime API that holds at most {@code maxHeld} invocations at a time, running or
     * waiting ({@link #trySubmit}).
     */
    public static LocalRuntimeApi start(int maxHeld) throws Exception {
        LocalRuntimeApi api = new LocalRuntimeApi(maxHeld);
        api.server.start();
        return api;
    }

    /** The value for {@code AWS_LAMBDA_RUNTIME_API}. */
    public String address() {
        return "127.0.0.1:" + connector.getLocalPort();
    }

    /** Queues an invocation; a runtime loop picks it up with its next {@code GET next}. */
    public PendingInvocation submit(byte[] event, long timeoutMs) {
        PendingInvocation invocation = trySubmit(event, timeoutMs);
        if (invocation == null) {
            throw new IllegalStateException("the Runtime API holds " + limit.max() + " invocations already");
        }
        return invocation;
    }

    /**
     * Queues an invocation unless {@code maxHeld} are admitted and not yet settled (see
     * {@link PendingInvocation}): then null, and the caller is to be throttled.
     */
    public PendingInvocation trySubmit(byte[] event, long timeoutMs) {
        if (!limit.tryAdmit()) {
            return null;
        }
        PendingInvocation invocation = new PendingInvocation(UUID.randomUUID().toString(),
                UUID.randomUUID().toString(), event, System.currentTimeMillis() + timeoutMs, limit::release);
        queue.add(invocation);
        return invocation;
    }

    /**
     * The caller of {@code invocation} is gone (it hung up, or was answered at the deadline): it is
     * never delivered if still queued, and a function working on it has its next write fail.
     */
    void abandon(PendingInvocation invocation, PendingInvocation.Abandoned why) {
        queue.remove(invocation);
        inFlight.remove(invocation.requestId(), invocation);
        invocation.abandon(why);
    }

    /** Runtime loops blocked in {@code next} that hold no invocation yet, i.e. idle environments. */
    public int idleEnvironments() {
        return queue.idle();
    }

    /**
     * Queued invocations beyond the idle environments, counted in one step (see
     * {@link InvocationQueue}): each one needs an environment started, or it waits for a busy one.
     */
    int invocationsWithoutEnvironment() {
        return queue.withoutRuntime();
    }

    public int queuedInvocations() {
        return queue.size();
    }

    /** Bodies of {@code POST /runtime/init/error} received so far. */
    public List<String> initErrors() {
        return List.copyOf(initErrors);
    }

    /** {@code POST /runtime/restore/error} received so far, each as {@code <error type header> <body>}. */
    public List<String> restoreErrors() {
        return List.copyOf(restoreErrors);
    }

    /** {@code GET /runtime/invocation/next} calls received so far. */
    public int nextCalls() {
        return nextCalls.get();
    }

    /** {@code GET /runtime/restore/next} calls received so far. */
    public int restoreNextCalls() {
        return restoreNextCalls.get();
    }

    /** Answer {@code restore/next} only when {@link #restore()} is called (the snapshot is "taken" meanwhile). */
    public void holdRestore() {
        restoreRelease = new CompletableFuture<>();
    }

    /** Answers the held {@code restore/next}: the environment is "restored" now. */
    public void restore() {
        restoreRelease.complete(null);
    }

    /**
     * Completes when a runtime first calls {@code restore/next} (its init and before-snapshot work
     * are done), with the number of {@code next} calls received before it.
     */
    public CompletableFuture<Integer> restoreRequested() {
        return restoreAsked;
    }

    /**
     * Answers the runtimes waiting in {@code next} (they stop), then stops the server and closes
     * every connection it leaves open. When this returns no runtime waits on this API: each one
     * was answered, or its connection is closed, or it is refused (the port no longer listens).
     * That holds for a runtime that reconnects while this runs, as a runtime loop whose response
     * was cut by the stop does at once ({@link io.llmrelay.runtime.RuntimeLoop}): until the server
     * stops it is answered "shutting down", and one accepted as the server stops is closed here.
     */
    @Override
    public void close() throws Exception {
        restore(); // a held restore/next is answered; the loop's next then learns that the API is shutting down
        queue.close(1_000);
        server.stop(); // closes the listening socket and the connections Jetty knows of
        accepted.closeAll(); // and those it accepted while stopping but never served
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
                nextCalls.incrementAndGet();
                return next(request, response, callback);
            }
            if (method.equals("GET") && route.equals("/restore/next")) {
                return restoreNext(response, callback);
            }
            if (method.equals("POST") && route.equals("/restore/error")) {
                restoreErrors.add(request.getHeaders().get("Lambda-Runtime-Function-Error-Type") + " "
                        + Content.Source.asString(request, StandardCharsets.UTF_8));
                return answer(response, callback, 202, "{\"status\":\"OK\"}");
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

    /**
     * {@code GET next}: the oldest invocation whose caller still waits and whose deadline has not
     * passed ({@link InvocationQueue}); others are dropped, never delivered: a function must not
     * work for nobody.
     */
    private boolean next(Request request, Response response, Callback callback) throws Exception {
        PendingInvocation invocation;
        try {
            invocation = queue.take(candidate -> deliver(candidate, request));
            if (invocation == null) {
                // Written before this runtime stops counting as waiting, so closing knows it has its answer.
                Callback.Completable written = new Callback.Completable();
                answer(response, written, 500, "{\"errorMessage\":\"the Runtime API is shutting down\"}");
                written.get(1, TimeUnit.SECONDS);
                callback.succeeded();
                return true;
            }
        } finally {
            queue.left();
        }
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

    /** {@code restore/next}: an empty 200, at once or when {@link #restore()} releases it. */
    private boolean restoreNext(Response response, Callback callback) {
        restoreNextCalls.incrementAndGet();
        restoreAsked.complete(nextCalls.get());
        restoreRelease.whenComplete((released, failure) -> {
            response.setStatus(200);
            response.write(true, ByteBuffer.allocate(0), callback);
        });
        return true;
    }

    /** Hands {@code candidate} to the runtime on this connection, unless its caller is gone. */
    private boolean deliver(PendingInvocation candidate, Request request) {
        inFlight.put(candidate.requestId(), candidate);
        if (candidate.deliver(ConnectionReset.of(request.getConnectionMetaData().getConnection().getEndPoint()))) {
            return true;
        }
        inFlight.remove(candidate.requestId(), candidate);
        return false;
    }

    private boolean error(PendingInvocation invocation, Request request, Response response, Callback callback)
            throws IOException {
        String body = Content.Source.asString(request, StandardCharsets.UTF_8);
        Map<String, String> headers = lowerCaseHeaders(request.getHeaders());
        invocation.answered();
        invocation.result().complete(new PendingInvocation.Failed(
                headers, headers.get("lambda-runtime-function-error-type"), body));
        return answer(response, callback, 202, "{\"status\":\"OK\"}");
    }

    /** {@code POST .../response}: the body goes to the caller's side as it arrives; see {@link ResponseReceiver}. */
    private boolean streamedResponse(PendingInvocation invocation, Request request, Response response,
            Callback callback) {
        ResponseReceiver.Outcome outcome = ResponseReceiver.receive(invocation, lowerCaseHeaders(request.getHeaders()), request);
        if (outcome == ResponseReceiver.Outcome.RECEIVED) {
            return answer(response, callback, 202, "{\"status\":\"OK\"}");
        }
        // Nobody can take the rest of this response: the function's next write must fail at once.
        ConnectionReset.reset(request.getConnectionMetaData().getConnection().getEndPoint());
        callback.failed(new IOException("the response of " + invocation.requestId() + " was not taken"));
        return true;
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
