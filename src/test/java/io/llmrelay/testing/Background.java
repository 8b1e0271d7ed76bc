package io.llmrelay.testing;

import java.util.concurrent.Executor;

/**
 * Where tests run blocking work in the background (a runtime loop, a blocked reader, a stalled
 * client): a daemon thread of its own per task, never the common ForkJoin pool. The common pool
 * has one thread on a 2-CPU machine, so one task that stays blocked (a loop left waiting in
 * {@code next} by a failed test) would starve every later test's background task and hang the
 * suite instead of failing one test.
 */
public final class Background {
    /** Runs each task on a new daemon thread. */
    public static final Executor THREADS = task -> {
        Thread thread = new Thread(task, "test-background");
        thread.setDaemon(true);
        thread.start();
    };

    private Background() {}
}
