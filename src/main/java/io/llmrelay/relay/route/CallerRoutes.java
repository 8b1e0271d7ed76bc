package io.llmrelay.relay.route;

import io.llmrelay.config.CallerConfig;
import io.llmrelay.config.RelayConfig;
import java.util.HashMap;
import java.util.Map;

/**
 * Which routes each caller may use ({@code callers[].routes}): a router per caller, built once per
 * configuration. A caller that lists no routes, and the anonymous caller of {@code serve --no-auth},
 * use them all.
 */
public final class CallerRoutes {
    private final Router all;
    private final Map<String, Router> byCaller = new HashMap<>();

    public CallerRoutes(RelayConfig config) {
        this.all = new Router(config);
        for (CallerConfig caller : config.callers()) {
            byCaller.put(caller.name(), all.restrictedTo(caller));
        }
    }

    /** Every route: for when caller authentication is off. */
    public Router all() {
        return all;
    }

    /** The router of the caller named {@code callerName}: every route unless its config limits it. */
    public Router routerFor(String callerName) {
        return byCaller.getOrDefault(callerName, all);
    }
}
