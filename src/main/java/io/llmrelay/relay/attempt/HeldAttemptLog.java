package io.llmrelay.relay.attempt;

import io.llmrelay.relay.log.AttemptLog;
import io.llmrelay.relay.log.RequestLog;
import java.util.ArrayList;
import java.util.List;

/**
 * What a racing attempt would tell the request log, held (with when) until the race is decided,
 * then passed on in an order that tells the winner last. Written by the attempt's thread, read by
 * the relay's: hence synchronized.
 */
final class HeldAttemptLog implements AttemptLog {
    private sealed interface Entry {}

    private record Status(int status) implements Entry {}

    private record Outcome(String route, String outcome, String detail, long atNanos) implements Entry {}

    private final List<Entry> entries = new ArrayList<>();
    private int passedOn;

    @Override
    public synchronized void upstreamStatus(int httpStatus) {
        entries.add(new Status(httpStatus));
    }

    @Override
    public synchronized void attempt(String routeName, String outcome, String detail) {
        entries.add(new Outcome(routeName, outcome, detail, System.nanoTime()));
    }

    /** Whether the attempt has said anything yet. */
    synchronized boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Passes on what was said so far and not passed on yet; anything said later is not. */
    synchronized void passOn(RequestLog log) {
        for (; passedOn < entries.size(); passedOn++) {
            switch (entries.get(passedOn)) {
                case Status status -> log.upstreamStatus(status.status());
                case Outcome o -> log.attemptAt(o.route(), o.outcome(), o.detail(), o.atNanos());
            }
        }
        passedOn = Integer.MAX_VALUE / 2; // sealed: later entries stay here
    }
}
