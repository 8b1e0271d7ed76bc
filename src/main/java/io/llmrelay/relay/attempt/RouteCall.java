package io.llmrelay.relay.attempt;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.relay.route.RouteKey;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.trace.TraceContext;
import java.net.URI;
import java.time.Duration;

/**
 * Everything one route's attempts send, made once per route: the upstream, the key in its place,
 * and the body (the caller's request as the route's transform made it, then rewritten for the
 * upstream). Each attempt only adds its first-byte timeout.
 *
 * @param model       the model chunks are given when they name none
 * @param callerModel the model the caller asked for, which translated answers name
 * @param trace       the trace the request belongs to; null sends no trace header
 * @param askedUsage  the body asks for usage the caller did not ask for: the usage chunk is held back
 */
record RouteCall(RouteConfig route, Upstream upstream, RouteKey.Placed key, URI baseUrl, byte[] body, boolean stream,
        String requestId, String model, String callerModel, TraceContext trace, boolean askedUsage) {

    UpstreamRequest request(long firstByteTimeoutMs) {
        return new UpstreamRequest(baseUrl, key.bearerKey(), key.headers(), body, stream,
                Duration.ofMillis(firstByteTimeoutMs), requestId, model, callerModel, trace, askedUsage);
    }

    /** Never prints the key or the body. */
    @Override
    public String toString() {
        return "RouteCall[route=" + route.name() + ", baseUrl=" + baseUrl + ", body=" + body.length + " bytes]";
    }
}
