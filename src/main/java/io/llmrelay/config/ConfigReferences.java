package io.llmrelay.config;

import java.util.List;
import java.util.Map;

/** Checks of names that refer to routes, made once every route is known. */
final class ConfigReferences {
    private ConfigReferences() {}

    /**
     * A hedge goes to a route that exists. Like fallbacks, a hedge is one attempt on its route
     * (that route's own hedge, retries and fallbacks are not followed), so hedges cannot loop.
     */
    static void checkHedges(List<RouteConfig> routes, Map<String, Integer> indexByName, Problems problems) {
        for (RouteConfig route : routes) {
            String target = route.hedge().route();
            if (target != null && !indexByName.containsKey(target)) {
                problems.add(Problems.index("routes", indexByName.get(route.name())) + ".hedgeRoute",
                        "no route is named '" + target + "'");
            }
        }
    }

    /** Each name or glob a caller lists must match a route: one that matches none is a typo that locks the caller out. */
    static void checkCallerRoutes(List<CallerConfig> callers, Map<String, Integer> indexByName,
            List<RouteConfig> routes, Problems problems) {
        for (CallerConfig caller : callers) {
            List<String> patterns = caller.routes();
            for (int i = 0; i < patterns.size(); i++) {
                String pattern = patterns.get(i);
                if (routes.stream().noneMatch(route -> Globs.matches(pattern, route.name()))) {
                    String at = Problems.index("callers", indexByName.get(caller.name())) + ".routes";
                    problems.add(Problems.index(at, i),
                            Globs.isGlob(pattern) ? "'" + pattern + "' matches no route" : "no route is named '" + pattern + "'");
                }
            }
        }
    }
}
