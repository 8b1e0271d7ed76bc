package io.llmrelay.relay.attempt;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.keys.KeyResolver;
import io.llmrelay.upstream.Upstream;

/** What attempts draw on from the relay's set-up: keys, upstreams, and how to wait between tries. */
public interface AttemptSources {

    KeyResolver keys();

    /** The upstream of {@code route} for request {@code requestId} (whose translation notes it may log). */
    Upstream upstream(RouteConfig route, String requestId);

    Pause pause();
}
