package io.llmrelay.local;

import io.llmrelay.stages.Stages;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * Turns one HTTP exchange into one invocation, as a Function URL does. Blocking: Jetty runs it
 * on a pool thread. Where Lambda itself answers (payload over 6 MB, function error, timeout), the
 * answer is Lambda's, with the invocation's id as {@code x-request-id}.
 *
 * <p>The invocation has one deadline, the one its runtime is given; serve waits for the function
 * until then and no longer. A caller that hangs up, before or during the answer, is noticed at
 * once ({@link CallerWatch}) and its invocation abandoned: dropped if still queued, else the
 * function's next write fails. Beyond serve's limit on invocations an invocation is refused at
 * once ({@link Throttle}).
 *
 * <p>One event, one line: a hang-up is told by the function's request log line
 * ({@code caller_disconnected}) once it was delivered; serve says so itself only for an invocation
 * it dropped before any function saw it (and, at {@code debug}, the moment it notices one).
 */
final class FunctionUrlBridge extends Handler.Abstract {
    private final LocalRuntimeApi runtimeApi;
    private final ExecutionEnvironments environments;
    private final long timeoutMs;
    private final PrintStream log;
    private final ResponseForwarder forwarder;
    private final Throttle throttle;
    private final boolean debug;

    /** @param debug also say when a caller's hang-up is noticed ({@code RELAY_LOG_LEVEL=debug}) */
    FunctionUrlBridge(LocalRuntimeApi runtimeApi, ExecutionEnvironments environments, long timeoutMs, Throttle throttle,
            boolean debug, PrintStream log) {
        this.runtimeApi = runtimeApi;
        this.environments = environments;
        this.timeoutMs = timeoutMs;
        this.throttle = throttle;
        this.debug = debug;
        this.log = log;
        this.forwarder = new ResponseForwarder(runtimeApi, timeoutMs, log);
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        long frontendNanos = Stages.ON ? System.nanoTime() : 0;
        byte[] body = readBody(request);
        if (body == null) {
            return lambdaAnswer(response, callback, 413, UUID.randomUUID().toString(),
                    "{\"Message\":\"Request must be smaller than " + LocalFunctionUrlServer.MAX_REQUEST_BYTES
                            + " bytes for the InvokeFunction operation\"}");
        }
        PendingInvocation invocation = runtimeApi.trySubmit(event(request, body), timeoutMs);
        if (invocation == null) {
            return throttle.refuse(response, callback);
        }
        CallerWatch watch = CallerWatch.start(request);
        watch.whenGone(() -> hungUp(invocation));
        environments.scaleForQueue();

        PendingInvocation.Result result;
        try {
            long left = Math.max(0, invocation.deadlineEpochMs() - System.currentTimeMillis());
            result = invocation.result().get(left, TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            return timedOut(invocation, watch, response, callback);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof PendingInvocation.Abandoned abandoned) {
                if (abandoned.timedOut()) {
                    return timedOut(invocation, watch, response, callback);
                }
                watch.stop();
                if (!invocation.delivered()) {
                    // No function saw it, so no request log line will tell of it: this line does.
                    log.println("serve: invocation " + invocation.requestId()
                            + ": the client went away before the function answered; the invocation was dropped");
                }
                callback.failed(abandoned);
                return true;
            }
            watch.stop();
            return lambdaAnswer(response, callback, 502, invocation.requestId(), "{\"Message\":\"Internal Server Error\"}");
        }
        if (result instanceof PendingInvocation.Failed) {
            // What a Function URL answers when the function reports an error; the function's own
            // log (its runtime loop's line) says what the error was.
            watch.stop();
            return lambdaAnswer(response, callback, 502, invocation.requestId(), "{\"Message\":\"Internal Server Error\"}");
        }
        forwarder.forward((PendingInvocation.Streamed) result, invocation, watch, response, callback);
        if (Stages.ON) {
            Stages.reportFrontend(invocation.requestId(), frontendNanos, invocation.deliveredNanos(), log);
        }
        return true;
    }

    /** The caller hung up: its invocation is abandoned (dropped, or its function's next write fails). */
    private void hungUp(PendingInvocation invocation) {
        runtimeApi.abandon(invocation, PendingInvocation.Abandoned.callerGone());
        if (debug) {
            log.println("serve: invocation " + invocation.requestId() + ": the client hung up; "
                    + (invocation.delivered() ? "the function's next write fails" : "it will not be delivered"));
        }
    }

    /** The deadline passed before the function answered: Lambda's 504, and the invocation is dropped. */
    private boolean timedOut(PendingInvocation invocation, CallerWatch watch, Response response, Callback callback) {
        runtimeApi.abandon(invocation, PendingInvocation.Abandoned.deadlinePassed());
        watch.stop();
        log.println("serve: invocation " + invocation.requestId() + " timed out after " + timeoutMs + " ms");
        return lambdaAnswer(response, callback, 504, invocation.requestId(), "{\"Message\":\"Task timed out\"}");
    }

    private static byte[] event(Request request, byte[] body) {
        List<Map.Entry<String, String>> headers = new ArrayList<>();
        for (HttpField field : request.getHeaders()) {
            headers.add(Map.entry(field.getName(), FunctionUrlEvents.headerValue(field.getValue())));
        }
        String host = request.getHeaders().get(HttpHeader.HOST);
        return FunctionUrlEvents.build(request.getMethod(), request.getHttpURI().getPath(),
                request.getHttpURI().getQuery(), headers, body, Request.getRemoteAddr(request),
                host == null ? "127.0.0.1" : host);
    }

    /** The whole request body, or null when it exceeds Lambda's payload limit. */
    private static byte[] readBody(Request request) throws IOException {
        long declared = request.getLength();
        if (declared > LocalFunctionUrlServer.MAX_REQUEST_BYTES) {
            return null;
        }
        try (InputStream in = Content.Source.asInputStream(request)) {
            byte[] body = in.readNBytes(LocalFunctionUrlServer.MAX_REQUEST_BYTES + 1);
            return body.length > LocalFunctionUrlServer.MAX_REQUEST_BYTES ? null : body;
        }
    }

    static boolean lambdaAnswer(Response response, Callback callback, int status, String requestId, String json) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put("x-request-id", requestId);
        response.write(true, ByteBuffer.wrap(json.getBytes(StandardCharsets.UTF_8)), callback);
        return true;
    }
}
