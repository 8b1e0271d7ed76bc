package io.llmrelay.local;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many invocations serve holds at once, running or waiting for an environment: each counts
 * from its admission until it is settled ({@link PendingInvocation}: answered, or abandoned).
 */
final class InvocationLimit {
    private final AtomicInteger held = new AtomicInteger();
    private final int max;

    /** @param max {@link Integer#MAX_VALUE} for no limit */
    InvocationLimit(int max) {
        this.max = max;
    }

    int max() {
        return max;
    }

    /** Counts one more invocation; false (and nothing counted) when {@code max} are held already. */
    boolean tryAdmit() {
        int now;
        do {
            now = held.get();
            if (now >= max) {
                return false;
            }
        } while (!held.compareAndSet(now, now + 1));
        return true;
    }

    /** One admitted invocation settled. */
    void release() {
        held.decrementAndGet();
    }
}
