package io.llmrelay.relay;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Bounds the pause between two upstream events. The JDK's HTTP client times out only the wait
 * for the response head; an upstream that stalls mid-stream would otherwise hold the caller (and
 * the Lambda invocation) until the function's timeout. When the pause runs out, {@code onIdle}
 * aborts the upstream exchange, which wakes the blocked read.
 */
final class IdleWatchdog {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

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
        pending = TIMER.schedule(() -> {
            fired = true;
            onIdle.run();
        }, idleMillis, TimeUnit.MILLISECONDS);
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

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "upstream-idle-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true); // one cancelled task per event must not pile up
        return timer;
    }
}
