package io.llmrelay.config;

import java.util.List;

/**
 * A platform allowed to call the relay. Only the SHA-256 of its key is configured, so the config
 * can be stored and shared without handing out working keys.
 *
 * @param keySha256 64 lower-case hex characters
 * @param routes    the routes this caller may use, by name or {@code *} glob; empty = every route
 */
public record CallerConfig(String name, String keySha256, List<String> routes) {

    public CallerConfig {
        routes = List.copyOf(routes);
    }

    /** A caller that may use every route. */
    public CallerConfig(String name, String keySha256) {
        this(name, keySha256, List.of());
    }

    /** Whether the caller's {@code routes} limit it at all. */
    public boolean restricted() {
        return !routes.isEmpty();
    }

    /** Whether this caller may use the route named {@code routeName}. */
    public boolean mayUse(String routeName) {
        return !restricted() || routes.stream().anyMatch(pattern -> Globs.matches(pattern, routeName));
    }
}
