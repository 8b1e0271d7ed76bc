package io.llmrelay.relay.watch;

import java.io.IOException;

/** Reading an upstream body stopped early, and why: the relay answers each cause differently. */
public final class ReadFailure extends Exception {
    public enum Cause {
        /** The upstream went quiet for longer than the route's idle timeout. */
        IDLE,
        /** The invocation reached its stop point (deadline minus margin). */
        DEADLINE,
        /** The stream reached its route's {@code maxStreamSeconds}. */
        STREAM_LIMIT,
        /** The connection broke or the body was not readable. */
        BROKEN
    }

    private final Cause cause;

    ReadFailure(Cause cause, IOException io) {
        super(io.getMessage(), io);
        this.cause = cause;
    }

    public Cause why() {
        return cause;
    }
}
