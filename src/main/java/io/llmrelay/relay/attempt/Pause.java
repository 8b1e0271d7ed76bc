package io.llmrelay.relay.attempt;

import java.time.Duration;

/** Waits between upstream attempts. An interface so tests can record the waits instead of sitting them out. */
@FunctionalInterface
public interface Pause {
    void pause(Duration duration) throws InterruptedException;

    static Pause sleeping() {
        return Thread::sleep;
    }
}
