package io.llmrelay.relay.attempt;

import io.llmrelay.relay.out.ErrorContract;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.function.Supplier;

/**
 * One attempt in a hedge race, on a thread of its own ({@link HedgeThreads}). It posts itself to
 * the race's queue when its attempt has come to something; cancelling it interrupts the attempt
 * where it waits (the JDK client then aborts the exchange and closes its connection) and closes
 * any answer it already has, so a loser stops generating at once.
 */
final class Contender implements Runnable {
    /** What the contender does; {@code self} for its log and for marking the part that may be interrupted. */
    @FunctionalInterface
    interface Work {
        Attempt.Try run(Contender self);
    }

    private final String routeName;
    private final Work work;
    private final BlockingQueue<Contender> finished;
    private final HeldAttemptLog log = new HeldAttemptLog();
    private final long startNanos = System.nanoTime();
    // Guarded by this: the race's thread cancels while this one runs.
    private Thread interruptible;
    private boolean cancelled;
    private boolean done;
    private long endNanos;
    private Attempt.Try result;

    private Contender(String routeName, Work work, BlockingQueue<Contender> finished) {
        this.routeName = routeName;
        this.work = work;
        this.finished = finished;
    }

    static Contender start(String routeName, Work work, BlockingQueue<Contender> finished) {
        Contender contender = new Contender(routeName, work, finished);
        HedgeThreads.run(contender);
        return contender;
    }

    HeldAttemptLog log() {
        return log;
    }

    String routeName() {
        return routeName;
    }

    @Override
    public void run() {
        Attempt.Try outcome = null;
        try {
            outcome = work.run(this);
        } catch (RuntimeException e) {
            // Not one of ours: what broke is the type; the race goes on with the other attempt.
            log.attempt(routeName, "request_failed", e.getClass().getName());
            outcome = Attempt.Try.retryable(new Outcome.Failure(ErrorContract.unsendable(routeName,
                    "the hedged attempt failed unexpectedly (" + e.getClass().getName() + ")")), Optional.empty());
        } finally {
            finish(outcome);
        }
    }

    /**
     * Runs {@code attempt} so that {@link #cancel()} can interrupt it; null (nothing run) when the
     * race is already over. The interrupt is cleared before the thread goes back to its pool.
     */
    <T> T interruptibly(Supplier<T> attempt) {
        synchronized (this) {
            if (cancelled) {
                return null;
            }
            interruptible = Thread.currentThread();
        }
        try {
            return attempt.get();
        } finally {
            synchronized (this) {
                interruptible = null;
                Thread.interrupted();
            }
        }
    }

    private synchronized void finish(Attempt.Try outcome) {
        done = true;
        endNanos = System.nanoTime();
        if (cancelled) {
            if (outcome != null) {
                outcome.abandon();
            }
            return;
        }
        result = outcome;
        finished.add(this);
    }

    /** Stops the attempt wherever it is and closes whatever answer it has: it lost, or the race is over. */
    synchronized void cancel() {
        if (cancelled) {
            return;
        }
        cancelled = true;
        if (!done) {
            endNanos = System.nanoTime();
        }
        if (interruptible != null) {
            interruptible.interrupt();
        }
        if (result != null) {
            result.abandon();
        }
    }

    /** What the attempt came to; null when it sent nothing. Read after the contender was taken from the queue. */
    synchronized Attempt.Try result() {
        return result;
    }

    synchronized boolean succeeded() {
        return result != null && result.succeeded();
    }

    /** From its start to its outcome, or to its cancellation, or (still running) to now. */
    synchronized long elapsedMs() {
        long end = done || cancelled ? endNanos : System.nanoTime();
        return (end - startNanos) / 1_000_000;
    }

    synchronized boolean finished() {
        return done;
    }
}
