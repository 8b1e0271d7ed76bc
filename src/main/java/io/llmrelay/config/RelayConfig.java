package io.llmrelay.config;

import io.llmrelay.keys.KeyReference;
import io.llmrelay.keys.KeyResolvers;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The whole relay configuration, already validated by {@link ConfigLoader}.
 *
 * @param callers who may call; empty means every request is refused
 * @param routes upstreams in config order (order decides between overlapping globs)
 * @param keyCacheTtlSeconds how long a resolved upstream key is reused before resolving it again
 * @param maxRequestBytes larger request bodies are refused before any upstream is contacted
 * @param deadlineMarginMs how long before the invocation's deadline the relay stops relaying and
 *     ends the answer itself (an error event and {@code [DONE]}, or a 504), so that Lambda never
 *     cuts a stream off mid-event
 */
public record RelayConfig(
        List<CallerConfig> callers, List<RouteConfig> routes, long keyCacheTtlSeconds, long maxRequestBytes,
        long deadlineMarginMs) {

    public static final long DEFAULT_KEY_CACHE_TTL_SECONDS = KeyResolvers.DEFAULT_CACHE_TTL_SECONDS;
    public static final long DEFAULT_MAX_REQUEST_BYTES = 1_048_576;
    /** Enough to write an error event and [DONE] and close the response, with room for a GC pause. */
    public static final long DEFAULT_DEADLINE_MARGIN_MS = 2_000;

    public RelayConfig {
        callers = List.copyOf(callers);
        routes = List.copyOf(routes);
    }

    public RelayConfig(List<CallerConfig> callers, List<RouteConfig> routes) {
        this(callers, routes, DEFAULT_KEY_CACHE_TTL_SECONDS, DEFAULT_MAX_REQUEST_BYTES);
    }

    public RelayConfig(List<CallerConfig> callers, List<RouteConfig> routes, long keyCacheTtlSeconds,
            long maxRequestBytes) {
        this(callers, routes, keyCacheTtlSeconds, maxRequestBytes, DEFAULT_DEADLINE_MARGIN_MS);
    }

    public Optional<RouteConfig> defaultRoute() {
        return routes.stream().filter(RouteConfig::isDefault).findFirst();
    }

    public Optional<RouteConfig> route(String name) {
        return routes.stream().filter(r -> r.name().equals(name)).findFirst();
    }

    /** Every route's {@code apiKey}, in route order; routes without one are left out. */
    public List<KeyReference> keyReferences() {
        return routes.stream().map(RouteConfig::apiKey).filter(Objects::nonNull).toList();
    }

    /** The offline demo: one default route answering model {@code relay-demo}, no callers. */
    public static RelayConfig demo() {
        RouteConfig route = new RouteConfig(
                "demo",
                RouteType.DEMO,
                null,
                null,
                RouteConfig.DEFAULT_API_KEY_HEADER,
                List.of("relay-demo"),
                true,
                null,
                Map.of(),
                RouteConfig.DEFAULT_DROP_FIELDS,
                RouteConfig.DEFAULT_FIRST_BYTE_TIMEOUT_MS,
                RouteConfig.DEFAULT_IDLE_TIMEOUT_MS,
                0, // nothing to retry: the demo is in-process
                RouteConfig.DEFAULT_RETRY_BUDGET_MS,
                List.of());
        return new RelayConfig(List.of(), List.of(route));
    }
}
