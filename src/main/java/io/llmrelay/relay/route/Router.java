package io.llmrelay.relay.route;

import io.llmrelay.config.CallerConfig;
import io.llmrelay.config.Globs;
import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Picks the route for a requested model. Exact names beat globs, so a specific route can carve a
 * model out of a broader glob; among globs the first route in config order wins; otherwise the
 * default route, if any.
 */
public final class Router {
    private final List<RouteConfig> routes;
    private final RouteConfig defaultRoute;

    public Router(RelayConfig config) {
        this(config.routes());
    }

    public Router(List<RouteConfig> routes) {
        this.routes = List.copyOf(routes);
        this.defaultRoute = this.routes.stream().filter(RouteConfig::isDefault).findFirst().orElse(null);
    }

    /**
     * @param model the request's {@code model}; null or blank means "not given" and goes to the default route
     * @return empty when nothing serves the model (answer 404 {@code model_not_found})
     */
    public Optional<RouteConfig> route(String model) {
        if (model == null || model.isBlank()) {
            return Optional.ofNullable(defaultRoute);
        }
        for (RouteConfig route : routes) {
            for (String pattern : route.models()) {
                if (!isGlob(pattern) && pattern.equals(model)) {
                    return Optional.of(route);
                }
            }
        }
        for (RouteConfig route : routes) {
            for (String pattern : route.models()) {
                if (isGlob(pattern) && globMatches(pattern, model)) {
                    return Optional.of(route);
                }
            }
        }
        return Optional.ofNullable(defaultRoute);
    }

    /**
     * The model name to send upstream: the route's {@code upstreamModel}, else the requested one, else
     * (no model requested) the route's first exact model; null if none of these exists.
     */
    public String upstreamModel(RouteConfig route, String requestedModel) {
        if (route.upstreamModel() != null) {
            return route.upstreamModel();
        }
        if (requestedModel != null && !requestedModel.isBlank()) {
            return requestedModel;
        }
        return route.models().stream().filter(m -> !isGlob(m)).findFirst().orElse(null);
    }

    /** Every exact model name across the routes, in config order, once each: for {@code GET /v1/models}. */
    public List<String> listedModels() {
        Set<String> models = new LinkedHashSet<>();
        for (RouteConfig route : routes) {
            route.models().stream().filter(m -> !isGlob(m)).forEach(models::add);
        }
        return List.copyOf(models);
    }

    /**
     * The router a caller sees: only the routes it may use, as if no other existed. So a model
     * another route serves is, for this caller, a model nobody serves (its default route, if it
     * may use one, or 404), and nothing tells it that other routes exist.
     */
    public Router restrictedTo(CallerConfig caller) {
        return caller.restricted() ? new Router(routes.stream().filter(r -> caller.mayUse(r.name())).toList()) : this;
    }

    static boolean isGlob(String pattern) {
        return Globs.isGlob(pattern);
    }

    /** {@code *} matches any run of characters (including none), every other character only itself ({@link Globs}). */
    static boolean globMatches(String pattern, String text) {
        return Globs.matches(pattern, text);
    }
}
