package io.llmrelay.relay;

import java.io.IOException;

/** Reading an upstream body stopped early, and why: the relay answers each cause differently. */
final class ReadFailure extends Exception {
    enum Cause {
        /** The upstream went quiet for longer than the route's idle timeout. */
        IDLE,
        /** The invocation reached its stop point (deadline minus margin). */
        DEADLINE,
        /** The connection broke or the body was not readable. */
        BROKEN
    }

    private final Cause cause;

    ReadFailure(Cause cause, IOException io) {
        super(io.getMessage(), io);
        this.cause = cause;
    }

    Cause why() {
        return cause;
    }
}
