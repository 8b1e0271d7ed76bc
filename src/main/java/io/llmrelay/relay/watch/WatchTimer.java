package io.llmrelay.relay.watch;

import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one timer thread of the process, for the watchdogs that abort an upstream exchange (idle
 * pauses, the invocation deadline). Its tasks only close a stream, so one thread is plenty.
 */
final class WatchTimer {
    private static final ScheduledThreadPoolExecutor TIMER = timer();

    private WatchTimer() {}

    static ScheduledFuture<?> after(long millis, Runnable task) {
        return TIMER.schedule(task, Math.max(0, millis), TimeUnit.MILLISECONDS);
    }

    /** How many tasks were ever scheduled on the timer (approximate, as the executor counts them). */
    static long tasksScheduled() {
        return TIMER.getTaskCount();
    }

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "relay-watchdog");
            thread.setDaemon(true);
            return thread;
        });
        timer.setRemoveOnCancelPolicy(true); // one cancelled task per event must not pile up
        return timer;
    }
}
