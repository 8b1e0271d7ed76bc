package io.llmrelay.local;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * The invocations waiting for an execution environment, and the runtimes waiting in
 * {@code GET next} for one. Oldest first; an invocation whose caller is gone or whose deadline
 * has passed is skipped, never handed out.
 *
 * <p>Closing answers every waiting runtime before the server stops (each gets the "shutting down"
 * answer and ends its loop), instead of leaving it to read from a connection the stopping server
 * may never answer or close.
 */
final class InvocationQueue {
    /** Wakes the runtimes in {@code next} when closing; each passes it on to the next one. */
    private static final PendingInvocation CLOSING = new PendingInvocation("closing", "closing", new byte[0], Long.MAX_VALUE);

    private final BlockingQueue<PendingInvocation> queue = new LinkedBlockingQueue<>();
    private final Object lock = new Object();
    private int waiting;
    private volatile boolean closed;

    void add(PendingInvocation invocation) {
        queue.add(invocation);
    }

    void remove(PendingInvocation invocation) {
        queue.remove(invocation);
    }

    int size() {
        return closed ? 0 : queue.size();
    }

    /** Runtimes currently waiting in {@code next}, i.e. idle environments. */
    int waiting() {
        synchronized (lock) {
            return waiting;
        }
    }

    /**
     * A runtime's {@code next}: waits for the oldest invocation that {@code deliver} accepts
     * (it refuses one whose caller is gone). Call {@link #left()} once the runtime has its answer.
     *
     * @return null once closing: the runtime is to be told that the Runtime API is going away
     */
    PendingInvocation take(Predicate<PendingInvocation> deliver) throws InterruptedException {
        synchronized (lock) {
            waiting++;
        }
        while (!closed) {
            PendingInvocation candidate = queue.poll(200, TimeUnit.MILLISECONDS);
            if (candidate == CLOSING) {
                queue.offer(CLOSING);
                return null;
            }
            if (candidate == null) {
                continue;
            }
            if (candidate.deadlineEpochMs() <= System.currentTimeMillis()) {
                candidate.abandon(PendingInvocation.Abandoned.deadlinePassed());
                continue;
            }
            if (deliver.test(candidate)) {
                return candidate;
            }
        }
        return null;
    }

    /** The runtime that called {@link #take} has its answer (an invocation or the closing one). */
    void left() {
        synchronized (lock) {
            waiting--;
            lock.notifyAll();
        }
    }

    /** Wakes every waiting runtime and waits, at most {@code millis}, until each has its answer. */
    void close(long millis) throws InterruptedException {
        closed = true;
        queue.offer(CLOSING);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        synchronized (lock) {
            while (waiting > 0) {
                long left = TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime());
                if (left <= 0) {
                    return;
                }
                lock.wait(left);
            }
        }
    }
}
