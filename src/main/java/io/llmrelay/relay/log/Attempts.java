package io.llmrelay.relay.log;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * A request's upstream attempts in order: each one's route, what came of it, when (ms after the
 * request began) and, where the relay knows more than the outcome, why. The request log line
 * lists them at {@code debug}; the metrics count them.
 */
final class Attempts {
    private record Attempt(String route, String outcome, long atMs, String detail) {}

    private final List<Attempt> attempts = new ArrayList<>();

    void add(String route, String outcome, long atMs, String detail) {
        attempts.add(new Attempt(route, outcome, atMs, detail));
    }

    int size() {
        return attempts.size();
    }

    /** The last attempt's detail; null when there was none or it had none. */
    String lastDetail() {
        return attempts.isEmpty() ? null : attempts.getLast().detail();
    }

    /** Attempts beyond the first on each route tried (each route's attempts come together, in order). */
    int retries() {
        return attempts.size() - routesTried().size();
    }

    /** Routes tried after the first: the fallbacks. */
    int fallbacks() {
        return Math.max(0, routesTried().size() - 1);
    }

    private Set<String> routesTried() {
        Set<String> routes = new LinkedHashSet<>();
        attempts.forEach(attempt -> routes.add(attempt.route()));
        return routes;
    }

    void writeTo(ArrayNode entries) {
        for (Attempt attempt : attempts) {
            ObjectNode entry = entries.addObject().put("route", attempt.route()).put("outcome", attempt.outcome())
                    .put("atMs", attempt.atMs());
            if (attempt.detail() != null) {
                entry.put("detail", attempt.detail());
            }
        }
    }
}
