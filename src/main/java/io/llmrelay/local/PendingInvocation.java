package io.llmrelay.local;

import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One invocation submitted to the {@link LocalRuntimeApi}: its event, and what the function
 * answered. {@link #result()} completes when the function starts its response (or reports an
 * error); a streamed body then keeps arriving through {@link Streamed#body()}, and
 * {@link Streamed#completion()} tells how the stream ended.
 */
public final class PendingInvocation {
    private final String requestId;
    private final String invocationId;
    private final byte[] event;
    private final long deadlineEpochMs;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private volatile long deliveredNanos;

    PendingInvocation(String requestId, String invocationId, byte[] event, long deadlineEpochMs) {
        this.requestId = requestId;
        this.invocationId = invocationId;
        this.event = event;
        this.deadlineEpochMs = deadlineEpochMs;
    }

    public String requestId() {
        return requestId;
    }

    /** The {@code Lambda-Runtime-Invocation-Id} this invocation was delivered with. */
    public String invocationId() {
        return invocationId;
    }

    byte[] event() {
        return event;
    }

    long deadlineEpochMs() {
        return deadlineEpochMs;
    }

    /**
     * When a runtime's {@code GET next} took this invocation ({@link System#nanoTime()}), or 0
     * while it waits: how the cold-start benchmark times a process's first {@code next}.
     */
    public long deliveredNanos() {
        return deliveredNanos;
    }

    void delivered() {
        deliveredNanos = System.nanoTime();
    }

    public CompletableFuture<Result> result() {
        return result;
    }

    /** What the function answered. */
    public sealed interface Result permits Streamed, Failed {}

    /**
     * A response POST: its request headers (lower-case names) and its body as it arrives.
     * Reading {@code body} to its end and then {@code completion} gives the trailers' verdict.
     */
    public record Streamed(Map<String, String> requestHeaders, InputStream body,
            CompletableFuture<StreamEnd> completion) implements Result {
        public String contentType() {
            return requestHeaders.getOrDefault("content-type", "application/octet-stream");
        }
    }

    /** {@code POST /error} before any response byte. */
    public record Failed(Map<String, String> requestHeaders, String errorType, String errorBody) implements Result {}

    /**
     * How a streamed response ended: {@code errorType == null} for success, else the values of
     * the {@code Lambda-Runtime-Function-Error-Type} and (decoded) {@code -Error-Body} trailers.
     */
    public record StreamEnd(long bodyBytes, String errorType, String errorBody) {
        public boolean succeeded() {
            return errorType == null;
        }
    }
}
