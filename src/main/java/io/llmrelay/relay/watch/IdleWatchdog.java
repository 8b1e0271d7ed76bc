package io.llmrelay.relay.watch;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the pause between two upstream events (or two reads of a whole body). The JDK's HTTP
 * client times out only the wait for the response head; an upstream that stalls mid-stream
 * would otherwise hold the caller (and the Lambda invocation) until the function's timeout.
 * When the pause runs out, {@code onIdle} aborts the upstream exchange, which wakes the blocked
 * read.
 *
 * <p>{@link #arm()} and {@link #disarm()} run once per upstream event on the reading thread, so
 * they only write a volatile field: scheduling a timer task per event, as this class once did,
 * woke the timer thread (a futex wake and a context switch on another core, or a preemption on
 * Lambda's fraction of one) for every chunk. Instead one check runs on the timer thread, at most
 * one idle period apart: when it finds the current wait over its due time it fires, else it
 * schedules itself again for the time still left (from the timer thread itself, which wakes
 * nobody). So a wait fires when its pause runs out, as before, and the reading thread never
 * touches the timer after the first arm. {@link #close()} ends the checks.
 */
final class IdleWatchdog implements AutoCloseable {
    private final long idleMillis;
    private final long idleNanos;
    private final Runnable onIdle;
    private volatile boolean fired;
    private volatile boolean closed;
    /** When the wait under way runs out ({@link System#nanoTime()}); written before {@link #waiting} is set. */
    private volatile long dueNanos;
    /** True from {@link #arm()} to {@link #disarm()}: a wait for the upstream is under way. */
    private volatile boolean waiting;
    /** The pending check; replaced by the check itself each time it runs and does not fire. */
    private volatile ScheduledFuture<?> check;

    IdleWatchdog(long idleMillis, Runnable onIdle) {
        this.idleMillis = Math.max(0, idleMillis);
        this.idleNanos = TimeUnit.MILLISECONDS.toNanos(this.idleMillis);
        this.onIdle = onIdle;
    }

    /** Starts (or restarts) the countdown before waiting for the next event. */
    void arm() {
        dueNanos = System.nanoTime() + idleNanos;
        waiting = true;
        if (check == null && !closed) {
            check = WatchTimer.after(idleMillis, this::check);
        }
    }

    /** Stops the countdown once an event (or the end) has arrived. */
    void disarm() {
        waiting = false;
    }

    /** True when the upstream was aborted because it went quiet. */
    boolean fired() {
        return fired;
    }

    /** No more checks: the exchange is over. */
    @Override
    public void close() {
        closed = true;
        waiting = false;
        ScheduledFuture<?> pending = check;
        if (pending != null) {
            pending.cancel(false);
        }
    }

    /** On the timer thread: fire if the wait under way is past due, else look again when it could be. */
    private void check() {
        if (closed) {
            return;
        }
        long left = waiting ? dueNanos - System.nanoTime() : idleNanos;
        if (waiting && left <= 0) {
            fired = true;
            onIdle.run();
            return;
        }
        check = WatchTimer.after(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left) + 1), this::check);
    }
}
