package io.llmrelay.relay;

import io.llmrelay.relay.attempt.Pause;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The relay's waits between upstream attempts, recorded instead of (or as well as) slept: retry
 * tests check how long the relay chose to wait without a wall-clock assertion.
 */
final class RecordedPauses implements Pause {
    private final List<Duration> waits = new ArrayList<>();
    private volatile boolean sleep;

    @Override
    public synchronized void pause(Duration duration) throws InterruptedException {
        waits.add(duration);
        if (sleep) {
            Thread.sleep(duration);
        }
    }

    /** From now on, really wait as well as record. */
    RecordedPauses sleepingToo(boolean really) {
        sleep = really;
        return this;
    }

    synchronized List<Duration> waits() {
        return List.copyOf(waits);
    }

    synchronized void clear() {
        waits.clear();
        sleep = false;
    }
}
