package io.llmrelay.config;

/**
 * A route's hedged first token: when no first event has come {@code afterMs} after an attempt
 * started, the same request goes to route {@code route} as well, and the first of the two to
 * produce an event is relayed.
 *
 * @param afterMs how long an attempt may go without a first event before the hedge starts; 0 = no hedge
 * @param route   the route the hedge goes to; null = no hedge
 */
public record Hedge(long afterMs, String route) {
    public static final Hedge NONE = new Hedge(0, null);

    public boolean enabled() {
        return route != null && afterMs > 0;
    }
}
