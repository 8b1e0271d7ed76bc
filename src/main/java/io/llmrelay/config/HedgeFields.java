package io.llmrelay.config;

import java.util.List;

/** Reads a route's {@code hedgeAfterMs} and {@code hedgeRoute} ({@link Hedge}); that the route exists is checked once every route is known. */
final class HedgeFields {
    static final List<String> NAMES = List.of("hedgeAfterMs", "hedgeRoute");
    private static final long MAX_HEDGE_AFTER_MS = 900_000;

    private HedgeFields() {}

    static Hedge read(Fields fields, String ownName, long firstByteTimeoutMs) {
        String route = fields.string("hedgeRoute", false);
        long afterMs = fields.wholeNumber("hedgeAfterMs", 0, 1, MAX_HEDGE_AFTER_MS, "milliseconds");
        boolean hasAfter = fields.has("hedgeAfterMs");
        if (route != null && !hasAfter) {
            fields.problems().add(fields.path("hedgeAfterMs"), "is required with hedgeRoute: how long to wait for a"
                    + " first event before the hedge starts");
            return Hedge.NONE;
        }
        if (route == null && hasAfter && !fields.has("hedgeRoute")) {
            fields.problems().add(fields.path("hedgeRoute"), "is required with hedgeAfterMs: the route the hedge goes to");
            return Hedge.NONE;
        }
        if (route == null || afterMs == 0) {
            return Hedge.NONE;
        }
        if (route.equals(ownName)) {
            fields.problems().add(fields.path("hedgeRoute"), "a route cannot hedge with itself");
        }
        if (afterMs >= firstByteTimeoutMs) {
            fields.problems().add(fields.path("hedgeAfterMs"), "must be less than firstByteTimeoutMs ("
                    + firstByteTimeoutMs + "): by then the attempt has timed out and nothing is left to race");
        }
        return new Hedge(afterMs, route);
    }
}
