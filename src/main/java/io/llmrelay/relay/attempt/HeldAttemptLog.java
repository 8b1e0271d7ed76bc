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

    private record UpstreamId(String id) implements Entry {}

    private record Outcome(String route, String outcome, String detail, long atNanos) implements Entry {}

    private final List<Entry> entries = new ArrayList<>();
    private boolean passedOn;

    @Override
    public synchronized void upstreamStatus(int httpStatus) {
        entries.add(new Status(httpStatus));
    }

    @Override
    public synchronized void upstreamRequestId(String id) {
        entries.add(new UpstreamId(id));
    }

    @Override
    public synchronized void attempt(String routeName, String outcome, String detail) {
        entries.add(new Outcome(routeName, outcome, detail, System.nanoTime()));
    }

    /** Passes on what was said so far, once; anything said later (by a cancelled loser) stays here. */
    synchronized void passOn(RequestLog log) {
        if (passedOn) {
            return;
        }
        passedOn = true;
        for (Entry entry : entries) {
            switch (entry) {
                case Status status -> log.upstreamStatus(status.status());
                case UpstreamId id -> log.upstreamRequestId(id.id());
                case Outcome o -> log.attemptAt(o.route(), o.outcome(), o.detail(), o.atNanos());
            }
        }
    }
}
