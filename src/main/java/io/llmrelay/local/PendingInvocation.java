package io.llmrelay.local;

import java.io.IOException;
import java.io.InputStream;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * One invocation submitted to the {@link LocalRuntimeApi}: its event, and what the function
 * answered. {@link #result()} completes when the function starts its response (or reports an
 * error); a streamed body then keeps arriving through {@link Streamed#body()}, and
 * {@link Streamed#completion()} tells how the stream ended.
 *
 * <p>An invocation whose caller is gone (hung up, or already answered 504 at the deadline) is
 * {@linkplain #abandon abandoned}: it is never delivered if it is still queued, and if a function
 * holds it, the connection the function answers on is reset so that its next write fails at once.
 */
public final class PendingInvocation {
    private final String requestId;
    private final String invocationId;
    private final byte[] event;
    private final long deadlineEpochMs;
    private final CompletableFuture<Result> result = new CompletableFuture<>();
    private volatile long deliveredNanos;
    /** Guards the hand-over between the caller's side (abandon) and the function's side (deliver, respond, answered). */
    private final Object lock = new Object();
    private boolean abandoned;
    private boolean delivered;
    private boolean answered;
    /** Resets the connection the function answers on; null until delivered and after it answered. */
    private Runnable reset;
    private ChunkPipe body;

    /** Runs once, when this invocation stops counting against serve's limit; see {@link #settle()}. */
    private final Runnable onSettled;
    private boolean settled;

    PendingInvocation(String requestId, String invocationId, byte[] event, long deadlineEpochMs) {
        this(requestId, invocationId, event, deadlineEpochMs, () -> { });
    }

    PendingInvocation(String requestId, String invocationId, byte[] event, long deadlineEpochMs, Runnable onSettled) {
        this.requestId = requestId;
        this.invocationId = invocationId;
        this.event = event;
        this.deadlineEpochMs = deadlineEpochMs;
        this.onSettled = onSettled;
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

    /** The deadline the runtime is given and serve enforces: one value for both. */
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

    public CompletableFuture<Result> result() {
        return result;
    }

    /**
     * Runtime API side: a {@code GET next} takes this invocation.
     *
     * @param resetConnection resets the connection the function will answer on
     * @return false when the caller is gone: the invocation must not be delivered
     */
    boolean deliver(Runnable resetConnection) {
        synchronized (lock) {
            if (abandoned) {
                return false;
            }
            reset = resetConnection;
            delivered = true;
        }
        deliveredNanos = System.nanoTime();
        return true;
    }

    /** Whether a runtime took this invocation: from then on its function answers for it (and logs it). */
    boolean delivered() {
        synchronized (lock) {
            return delivered;
        }
    }

    /**
     * Runtime API side: the function started its response on a connection, streamed into {@code pipe}.
     *
     * @return false when the caller is gone: the response must be refused (its connection reset)
     */
    boolean responding(Runnable resetConnection, ChunkPipe pipe) {
        synchronized (lock) {
            if (abandoned) {
                return false;
            }
            reset = resetConnection;
            body = pipe;
            return true;
        }
    }

    /** Runtime API side: the function has answered in full; its connection is its own again. */
    void answered() {
        synchronized (lock) {
            answered = true;
            reset = null;
        }
        settle();
    }

    /**
     * Caller side: nobody waits for this invocation any more. Idempotent. A queued invocation
     * will not be delivered; a running one loses the connection it answers on (its next write
     * fails); a body still streaming ends with {@code why}.
     */
    void abandon(Abandoned why) {
        synchronized (lock) {
            if (abandoned) {
                return;
            }
            abandoned = true;
            // The reader learns why first, before the reset makes the function's side fail too.
            if (body != null) {
                body.abort(why);
            }
            // Under the lock: once the function has answered, its connection carries its next
            // invocation and must not be touched.
            if (!answered && reset != null) {
                reset.run();
            }
            reset = null;
        }
        settle();
        result.completeExceptionally(why);
    }

    /**
     * The invocation no longer counts against serve's limit: the function answered it in full (or
     * reported its error), or nobody waits for it any more (abandoned: dropped from the queue, or
     * its function's next write fails). Once only, whichever comes first.
     */
    private void settle() {
        synchronized (lock) {
            if (settled) {
                return;
            }
            settled = true;
        }
        onSettled.run();
    }

    boolean abandoned() {
        synchronized (lock) {
            return abandoned;
        }
    }

    /** Why an invocation was abandoned: its deadline passed, or its caller went away. */
    static final class Abandoned extends IOException {
        private final boolean timedOut;

        private Abandoned(String message, boolean timedOut) {
            super(message);
            this.timedOut = timedOut;
        }

        static Abandoned deadlinePassed() {
            return new Abandoned("the invocation reached its deadline", true);
        }

        static Abandoned callerGone() {
            return new Abandoned("the caller went away", false);
        }

        boolean timedOut() {
            return timedOut;
        }
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
