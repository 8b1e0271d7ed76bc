package io.llmrelay.relay;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.translation.TranslationNotes;

/**
 * The upstream that answers for a route, by the route's type. The composition root ({@code app})
 * builds it; the relay only asks.
 */
@FunctionalInterface
public interface Upstreams {

    /**
     * @param notes where this request's translation notes go (the debug request log, or nowhere);
     *              only translating upstreams make any
     */
    Upstream forRoute(RouteConfig route, TranslationNotes notes);
}
