package io.llmrelay.relay.watch;

import com.amazonaws.services.lambda.runtime.Context;
import java.util.concurrent.ScheduledFuture;

/**
 * When this invocation must stop relaying: Lambda's deadline minus the configured margin. Lambda
 * ends an invocation at its deadline wherever it is, mid-event included, and a caller then sees
 * a stream that just stops. Stopping a little earlier leaves time to send an error event and
 * {@code [DONE]} (or, before the first byte, a 504), so the caller learns what happened.
 */
public final class Deadline {
    /** No deadline at all (a runtime that sent none: a test harness, never Lambda): nothing is cut short. */
    public static final Deadline NONE = new Deadline(Long.MAX_VALUE);

    private final long stopAtNanos;

    private Deadline(long stopAtNanos) {
        this.stopAtNanos = stopAtNanos;
    }

    /**
     * The stop point of the invocation {@code context} describes. A deadline that has passed, or
     * is nearer than the margin, is a stop point in the past: the relay answers 504 at once
     * instead of calling anyone. Only an invocation that came without any deadline is unbounded:
     * its context reports {@link Integer#MAX_VALUE} milliseconds left (the runtime's convention for
     * a missing {@code Lambda-Runtime-Deadline-Ms}; Lambda always sends it). A null context (a
     * handler called directly) has none either.
     *
     * @param marginMs how long before the invocation's deadline to stop
     */
    public static Deadline of(Context context, long marginMs) {
        if (context == null) {
            return NONE;
        }
        int remaining = context.getRemainingTimeInMillis();
        if (remaining == Integer.MAX_VALUE) {
            return NONE;
        }
        return new Deadline(System.nanoTime() + (Math.max(0, remaining) - marginMs) * 1_000_000L);
    }

    /** A stop point {@code millis} from now (a route's stream time limit). */
    static Deadline in(long millis) {
        return new Deadline(System.nanoTime() + millis * 1_000_000L);
    }

    public boolean known() {
        return stopAtNanos != Long.MAX_VALUE;
    }

    /** Milliseconds until the stop point; zero or less once it has passed. */
    public long millisLeft() {
        if (!known()) {
            return Long.MAX_VALUE;
        }
        return Math.floorDiv(stopAtNanos - System.nanoTime(), 1_000_000L);
    }

    public boolean passed() {
        return millisLeft() <= 0;
    }

    /** Runs {@code onPassing} once the stop point passes, unless cancelled first. */
    Watch watch(Runnable onPassing) {
        return new Watch(this, onPassing);
    }

    /** A pending stop: aborts an upstream exchange at the stop point. */
    static final class Watch implements AutoCloseable {
        private final ScheduledFuture<?> pending;
        private volatile boolean fired;

        private Watch(Deadline deadline, Runnable onPassing) {
            pending = deadline.known() ? WatchTimer.after(deadline.millisLeft(), () -> {
                fired = true;
                onPassing.run();
            }) : null;
        }

        /** True when the stop point passed and {@code onPassing} ran. */
        boolean fired() {
            return fired;
        }

        @Override
        public void close() {
            if (pending != null) {
                pending.cancel(false);
            }
        }
    }
}
