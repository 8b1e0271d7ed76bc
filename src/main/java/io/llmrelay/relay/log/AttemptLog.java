package io.llmrelay.relay.log;

/**
 * What opening one upstream attempt tells the request log: the status it got, and the attempt's
 * outcome. {@link RequestLog} takes these as they happen; an attempt racing another (a hedge) has
 * them held until the race is decided, so that the line tells the winner last.
 */
public interface AttemptLog {

    void upstreamStatus(int httpStatus);

    /** The upstream's own id for the attempt's exchange (its request id header); null when it sent none. */
    void upstreamRequestId(String id);

    /**
     * One upstream attempt was made on {@code routeName}; {@code outcome} is its status or why it
     * failed; {@code detail}, when not null, says why in words that are safe to log.
     */
    void attempt(String routeName, String outcome, String detail);

    default void attempt(String routeName, String outcome) {
        attempt(routeName, outcome, null);
    }
}
