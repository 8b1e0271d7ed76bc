package io.llmrelay.cli.probe;

import java.util.List;

/**
 * Everything measured about one request. Times are milliseconds from just before the request was
 * handed to the HTTP client (so the first request on a connection includes opening it); a metric
 * the request never reached (no headers, no content) is null.
 *
 * @param side           "A" for the URL probed, "B" for the {@code --compare} URL
 * @param number         this side's request number, from 1
 * @param status         the HTTP status, or null when no response head came
 * @param error          what went wrong, one line (null when nothing did); never holds a key
 * @param chunks         data events other than {@code [DONE]}; gaps and bursts are over these
 * @param doneCount      {@code [DONE]} events
 * @param events         every data event with its arrival time
 * @param bursts         held-back bursts by {@link BurstRule}
 * @param ok             200, an event stream, exactly one {@code [DONE]} and nothing wrong
 */
record Outcome(String side, int number, Integer status, String error, Double headersMs, Double firstContentMs,
        Double totalMs, int chunks, int doneCount, List<TimedEvent> events, List<BurstRule.Burst> bursts,
        Double gapP50Ms, Double gapP99Ms, Double gapMaxMs, boolean ok) {

    /** One data event: when its last byte arrived, the gap since the data event before it (null for the first). */
    record TimedEvent(double atMs, Double gapMs, EventKind kind) {}

    int heldBack() {
        return BurstRule.heldBack(bursts);
    }

    /** A request that got no usable response head: refused, unresolvable, TLS, timed out before the head. */
    static Outcome failed(String side, int number, String error) {
        return new Outcome(side, number, null, error, null, null, null, 0, 0, List.of(), List.of(),
                null, null, null, false);
    }
}
