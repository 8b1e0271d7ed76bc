package io.llmrelay.relay.attempt;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads hedged attempts run on. The upstream interface is blocking (a call returns once a
 * response head is in, and a stream's first event is a blocking read), and so are the Anthropic
 * and Bedrock adapters behind it, so racing two attempts takes a thread each while the relay's
 * thread waits for the first to finish: one model for every route type, where the JDK client's
 * async API would cover the response head of one adapter only. A thread is also what cancels
 * cleanly: interrupting it aborts the JDK client's exchange (its connection closed) wherever it
 * waits. Daemon threads, made on demand and kept a minute: on Lambda one invocation runs at a
 * time, so a hedged request uses two of them; routes without a hedge never start any.
 */
final class HedgeThreads {
    private HedgeThreads() {}

    static void run(Runnable attempt) {
        Pool.THREADS.execute(attempt);
    }

    /** Created on the first hedged request, not before. */
    private static final class Pool {
        private static final AtomicInteger COUNT = new AtomicInteger();
        static final ExecutorService THREADS = Executors.newCachedThreadPool(runnable -> {
            Thread thread = new Thread(runnable, "relay-hedge-" + COUNT.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }
}
