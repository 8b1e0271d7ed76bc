package io.llmrelay.relay.watch;

import java.util.concurrent.ScheduledFuture;

/**
 * Bounds the pause between two upstream events (or two reads of a whole body). The JDK's HTTP
 * client times out only the wait for the response head; an upstream that stalls mid-stream
 * would otherwise hold the caller (and the Lambda invocation) until the function's timeout.
 * When the pause runs out, {@code onIdle} aborts the upstream exchange, which wakes the blocked
 * read.
 */
final class IdleWatchdog {
    private final long idleMillis;
    private final Runnable onIdle;
    private volatile boolean fired;
    private ScheduledFuture<?> pending;

    IdleWatchdog(long idleMillis, Runnable onIdle) {
        this.idleMillis = idleMillis;
        this.onIdle = onIdle;
    }

    /** Starts (or restarts) the countdown before waiting for the next event. */
    void arm() {
        disarm();
        pending = WatchTimer.after(idleMillis, () -> {
            fired = true;
            onIdle.run();
        });
    }

    /** Stops the countdown once an event (or the end) has arrived. */
    void disarm() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }

    /** True when the upstream was aborted because it went quiet. */
    boolean fired() {
        return fired;
    }
}
