package io.llmrelay.runtime;

import io.llmrelay.runtime.http.HttpConnection;
import io.llmrelay.runtime.http.NoReplyException;
import io.llmrelay.runtime.http.Reply;
import java.io.Closeable;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The AWS Lambda Runtime API, version 2018-06-01, with response streaming: one method per call,
 * in the order a runtime makes them, each saying what the call does to the invocation.
 * <pre>
 *   GET  /runtime/invocation/next                 long poll: the next event and its headers
 *   POST /runtime/invocation/{id}/response        the result, streamed in chunks
 *   POST /runtime/invocation/{id}/error           a failure before any response byte
 *   POST /runtime/init/error                      a failure before the first next
 *   GET  /runtime/restore/next                    SnapStart: the snapshot is taken in this call
 *   POST /runtime/restore/error                   SnapStart: the after-restore step failed
 * </pre>
 * References: https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html, the "Response
 * streaming for custom runtimes" section of
 * https://docs.aws.amazon.com/lambda/latest/dg/runtimes-custom.html, and aws-lambda-go's
 * lambda/runtime_api_client.go, whose shape this follows (the quotes below are its comments).
 *
 * <p>The HTTP/1.1 exchange is {@link HttpConnection}'s: one keep-alive connection, one request at
 * a time. An instance is not thread-safe: a runtime loop owns one. Only {@link #close()} may come
 * from another thread: it breaks off a waiting call, and a closed client never connects again.
 */
public final class RuntimeApiClient implements Closeable {
    public static final String API_VERSION = "2018-06-01";

    // Headers of a next reply (names match in any case).
    private static final String REQUEST_ID = "Lambda-Runtime-Aws-Request-Id";
    private static final String DEADLINE_MS = "Lambda-Runtime-Deadline-Ms";
    private static final String FUNCTION_ARN = "Lambda-Runtime-Invoked-Function-Arn";
    private static final String TRACE_ID = "Lambda-Runtime-Trace-Id";
    private static final String CLIENT_CONTEXT = "Lambda-Runtime-Client-Context";
    private static final String COGNITO_IDENTITY = "Lambda-Runtime-Cognito-Identity";
    private static final String TENANT_ID = "Lambda-Runtime-Aws-Tenant-Id";
    // Also sent back, with next's value, on every post about that invocation (when next had one).
    private static final String INVOCATION_ID = "Lambda-Runtime-Invocation-Id";
    // Set on a streamed response's head.
    private static final String RESPONSE_MODE = "Lambda-Runtime-Function-Response-Mode";
    // A failure's category: a header of the error posts, a trailer of a streamed response.
    private static final String ERROR_TYPE = "Lambda-Runtime-Function-Error-Type";
    // A streamed response's failure document, base64: a trailer.
    private static final String ERROR_BODY = "Lambda-Runtime-Function-Error-Body";

    private static final String RUNTIME = "/" + API_VERSION + "/runtime";
    /** Request ids travel in a request path: anything outside this set would be an injection. */
    private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final HttpConnection connection;

    /** @param address the value of {@code AWS_LAMBDA_RUNTIME_API}, {@code host:port} */
    public RuntimeApiClient(String address, String userAgent) {
        int colon = address.lastIndexOf(':');
        if (colon <= 0 || colon == address.length() - 1) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API must be host:port, was '" + address + "'");
        }
        int port;
        try {
            port = Integer.parseInt(address.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("AWS_LAMBDA_RUNTIME_API must be host:port, was '" + address + "'");
        }
        this.connection = new HttpConnection(address.substring(0, colon), port, userAgent);
    }

    /**
     * {@code GET /runtime/invocation/next}: waits, without a timeout, for the next invocation (a
     * long poll: Lambda may freeze the environment inside this call for hours).
     *
     * <p>Calling it completes the previous invocation: "An invoke is not complete until next() is
     * called again!" Lambda bills and may freeze the environment from here on, so nothing of the
     * previous invocation may still be running.
     *
     * <p>Success is 200 and only 200; any other status is a {@link RuntimeApiStatusException}, a
     * malformed or cut reply an {@link IOException}. On a kept-alive connection that broke before
     * any byte of the reply (the other side may have closed it since the last call) the request
     * is sent once more on a fresh connection; once part of a reply has arrived it is never sent
     * again, since the invocation may have been handed out already.
     */
    public Invocation next() throws IOException {
        boolean reused = connection.isOpen();
        Reply reply;
        try {
            reply = connection.request("GET", RUNTIME + "/invocation/next", Map.of());
        } catch (NoReplyException e) {
            if (!reused) {
                throw e;
            }
            reply = connection.request("GET", RUNTIME + "/invocation/next", Map.of());
        }
        if (reply.status() != 200) {
            throw new RuntimeApiStatusException("next", reply.status(), reply.bodyText());
        }
        return invocation(reply);
    }

    /**
     * {@code POST /runtime/invocation/{id}/response}, streamed: the returned stream sends nothing
     * until its first write (or its {@link StreamingResponse#finish()}), so a handler that fails
     * before writing can still be reported through {@link #reportInvocationError}.
     *
     * <p>Once the response is answered with 202 Lambda has all of it, but "An invoke is not
     * complete until next() is called again!"
     */
    public StreamingResponse streamResponse(Invocation invocation) {
        return new StreamingResponse(this, connection, invocation);
    }

    /**
     * {@code POST /runtime/invocation/{id}/error}: the invocation failed before any response byte.
     *
     * <p>Lambda marks the invocation failed, and the environment goes on: "The execution of the
     * function process continues, and is billed, until next() is called again!" Success is 202
     * only (aws-lambda-go's post and the Java runtime interface client's reportLambdaError both
     * expect exactly 202); any other status is a {@link RuntimeApiStatusException}.
     */
    public void reportInvocationError(Invocation invocation, ErrorReport error) throws IOException {
        postError("error", invocationPath(invocation, "error"), invocation, error);
    }

    /**
     * {@code POST /runtime/init/error}: the function could not start.
     *
     * <p>The process should exit next, whatever the answer ("After calling this function, the
     * caller should call os.Exit()"); Lambda reports the error to the caller and starts a new
     * environment. Success is 202 only; any other status is a {@link RuntimeApiStatusException}.
     */
    public void reportInitError(ErrorReport error) throws IOException {
        postError("init/error", RUNTIME + "/init/error", null, error);
    }

    /**
     * {@code GET /runtime/restore/next} (SnapStart only): init is done and the runtime is ready to
     * be snapshotted. Lambda takes the snapshot while this call waits and answers it in each
     * environment restored from that snapshot, so code after it runs once per restored
     * environment (the after-restore step), before the first {@link #next()}. Success is 200 only
     * (the Java runtime interface client's restoreNext; the runtime interface emulator answers it
     * with an empty 200, lambda/rapi/rendering RestoreRenderer); anything else is a
     * {@link RuntimeApiStatusException}. https://docs.aws.amazon.com/lambda/latest/dg/snapstart-runtime-hooks-custom.html
     */
    public void restoreNext() throws IOException {
        Reply reply = connection.request("GET", RUNTIME + "/restore/next", Map.of());
        if (reply.status() != 200) {
            throw new RuntimeApiStatusException("restore/next", reply.status(), reply.bodyText());
        }
    }

    /**
     * {@code POST /runtime/restore/error}: the after-restore step failed. Lambda discards this
     * environment and the invocation that was waiting fails (SnapStartException: "The
     * afterRestore() runtime hook encountered an error"); the process should exit next, as the
     * Java runtime interface client does (System.exit(64) after reportRestoreError). Success is
     * 202 only.
     */
    public void reportRestoreError(ErrorReport error) throws IOException {
        postError("restore/error", RUNTIME + "/restore/error", null, error);
    }

    @Override
    public void close() {
        connection.close();
    }

    /** The head of a streamed response, sent by its first byte: the content type is fixed from here. */
    void startResponse(Invocation invocation, String contentType) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Content-Type", contentType);
        fields.put(RESPONSE_MODE, "streaming");
        putInvocationId(fields, invocation);
        connection.startChunked("POST", invocationPath(invocation, "response"), fields, List.of(ERROR_TYPE, ERROR_BODY));
    }

    /** The end of a streamed response, with the failure in its trailers when there is one; 202 only. */
    void endResponse(ErrorReport failure) throws IOException {
        Map<String, String> trailers = new LinkedHashMap<>();
        if (failure != null) {
            trailers.put(ERROR_TYPE, failure.category());
            trailers.put(ERROR_BODY, failure.toBase64());
        }
        expectAccepted("response", connection.endChunked(trailers));
    }

    private void postError(String call, String path, Invocation invocation, ErrorReport error) throws IOException {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Content-Type", "application/json");
        fields.put(ERROR_TYPE, error.category());
        putInvocationId(fields, invocation);
        expectAccepted(call, connection.request("POST", path, fields, error.toJson()));
    }

    /** The invocation a 200 to next describes; a reply without a usable request id is no invocation. */
    private static Invocation invocation(Reply reply) throws IOException {
        String requestId = reply.header(REQUEST_ID);
        if (requestId == null || !SAFE_ID.matcher(requestId).matches()) {
            throw new IOException("Runtime API sent an invocation without a usable " + REQUEST_ID.toLowerCase(Locale.ROOT));
        }
        String deadline = reply.header(DEADLINE_MS);
        long deadlineEpochMs;
        try {
            deadlineEpochMs = deadline == null ? 0 : Long.parseLong(deadline.trim());
        } catch (NumberFormatException e) {
            throw new IOException("Runtime API sent a malformed " + DEADLINE_MS.toLowerCase(Locale.ROOT) + " header", e);
        }
        return new Invocation(requestId, deadlineEpochMs, reply.header(FUNCTION_ARN), reply.header(TRACE_ID),
                reply.header(CLIENT_CONTEXT), reply.header(COGNITO_IDENTITY), reply.header(TENANT_ID),
                reply.header(INVOCATION_ID), reply.body());
    }

    private static String invocationPath(Invocation invocation, String call) {
        return RUNTIME + "/invocation/" + invocation.requestId() + "/" + call;
    }

    private static void putInvocationId(Map<String, String> fields, Invocation invocation) {
        if (invocation != null && invocation.invocationId() != null) {
            fields.put(INVOCATION_ID, invocation.invocationId());
        }
    }

    private static void expectAccepted(String call, Reply reply) throws RuntimeApiStatusException {
        if (reply.status() != 202) {
            throw new RuntimeApiStatusException(call, reply.status(), reply.bodyText());
        }
    }
}
