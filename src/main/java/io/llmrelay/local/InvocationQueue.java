package io.llmrelay.local;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The invocations waiting for an execution environment, and the runtimes waiting in
 * {@code GET next} for one. Oldest first; an invocation whose caller is gone or whose deadline
 * has passed is skipped, never handed out.
 *
 * <p>Serve scales by {@link #withoutRuntime()}: an invocation queued beyond the idle runtimes
 * starts an environment. So the two counts change together, under one lock: a runtime stops
 * counting as idle in the same step that takes an invocation off the queue, not when its
 * {@code GET next} is answered. Counted until then, it would cover an invocation queued in
 * between that it will never take, which then started no environment and waited for one to be
 * free. A runtime whose candidate is refused (its caller is gone, its deadline passed) counts as
 * idle again before it waits for the next one: until then serve may start one environment more
 * than needed, never one less.
 *
 * <p>Closing answers every waiting runtime before the server stops (each gets the "shutting down"
 * answer and ends its loop), instead of leaving it to read from a connection the stopping server
 * may never answer or close.
 */
final class InvocationQueue {
    private final ReentrantLock lock = new ReentrantLock();
    /** Signalled once per invocation added (and for all when closing): one waiting runtime takes it. */
    private final Condition added = lock.newCondition();
    /** Signalled when a runtime has its answer, for {@link #close}. */
    private final Condition answered = lock.newCondition();
    private final Deque<PendingInvocation> queue = new ArrayDeque<>();
    /** Runtimes in {@code next} holding no invocation: the idle environments. */
    private int idle;
    /** Runtimes in {@code next} until {@link #left()}: those {@link #close} waits for. */
    private int inNext;
    private boolean closed;

    void add(PendingInvocation invocation) {
        lock.lock();
        try {
            queue.addLast(invocation);
            added.signal();
        } finally {
            lock.unlock();
        }
    }

    void remove(PendingInvocation invocation) {
        lock.lock();
        try {
            queue.remove(invocation);
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return closed ? 0 : queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Runtimes waiting in {@code next} that hold no invocation, i.e. idle environments. */
    int idle() {
        lock.lock();
        try {
            return idle;
        } finally {
            lock.unlock();
        }
    }

    /** Queued invocations that no idle runtime will take: each needs an environment started. */
    int withoutRuntime() {
        lock.lock();
        try {
            return closed ? 0 : Math.max(0, queue.size() - idle);
        } finally {
            lock.unlock();
        }
    }

    /**
     * A runtime's {@code next}: waits for the oldest invocation that {@code deliver} accepts
     * (it refuses one whose caller is gone). Call {@link #left()} once the runtime has its answer,
     * whatever this returned or threw.
     *
     * @return null once closing: the runtime is to be told that the Runtime API is going away
     */
    PendingInvocation take(Predicate<PendingInvocation> deliver) throws InterruptedException {
        boolean counted = false; // whether this runtime is in `idle` now
        lock.lock();
        try {
            inNext++;
            idle++;
            counted = true;
        } finally {
            lock.unlock();
        }
        try {
            while (true) {
                PendingInvocation candidate;
                lock.lock();
                try {
                    if (!counted) {
                        idle++; // its last candidate was refused: idle again
                        counted = true;
                    }
                    while (!closed && queue.isEmpty()) {
                        added.await();
                    }
                    if (closed) {
                        return null;
                    }
                    candidate = queue.pollFirst();
                    idle--; // in the same step as the poll: see the class comment
                    counted = false;
                } finally {
                    lock.unlock();
                }
                if (candidate.deadlineEpochMs() <= System.currentTimeMillis()) {
                    candidate.abandon(PendingInvocation.Abandoned.deadlinePassed());
                    continue;
                }
                if (deliver.test(candidate)) {
                    return candidate;
                }
            }
        } finally {
            if (counted) { // closing, or interrupted while waiting
                lock.lock();
                try {
                    idle--;
                } finally {
                    lock.unlock();
                }
            }
        }
    }

    /** The runtime that called {@link #take} has its answer (an invocation or the closing one). */
    void left() {
        lock.lock();
        try {
            inNext--;
            answered.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every waiting runtime and waits, at most {@code millis}, until each has its answer. */
    void close(long millis) throws InterruptedException {
        long left = TimeUnit.MILLISECONDS.toNanos(millis);
        lock.lock();
        try {
            closed = true;
            added.signalAll();
            while (inNext > 0 && left > 0) {
                left = answered.awaitNanos(left);
            }
        } finally {
            lock.unlock();
        }
    }
}
