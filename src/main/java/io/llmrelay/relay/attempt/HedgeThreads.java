package io.llmrelay.relay.attempt;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The threads hedged attempts run on. The upstream interface is blocking (a call returns once a
 * response head is in, and a stream's first event is a blocking read), and so are the Anthropic
 * and Bedrock adapters behind it, so racing two attempts takes a thread each while the relay's
 * thread waits for the first to finish: one model for every route type, where the JDK client's
 * async API would cover the response head of one adapter only. A thread is also what cancels
 * cleanly: interrupting it aborts the exchange wherever it waits. The threads are virtual because
 * that is what makes the HTTP/1.1 client's blocking socket reads interruptible (JEP 444: an
 * interrupted virtual thread blocked in a {@code java.net.Socket} read has the socket closed);
 * the JDK client's exchange aborts on an interrupt either way. Made per attempt: routes without a
 * hedge never start any.
 */
final class HedgeThreads {
    private HedgeThreads() {}

    static void run(Runnable attempt) {
        Thread.ofVirtual().name("relay-hedge-", Pool.COUNT.getAndIncrement()).start(attempt);
    }

    /** Numbers the threads for thread dumps. */
    private static final class Pool {
        private static final AtomicInteger COUNT = new AtomicInteger(1);
    }
}
