package io.llmrelay.relay.attempt;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.config.RouteType;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.relay.route.RouteKey;
import io.llmrelay.relay.route.Router;
import io.llmrelay.relay.transform.RequestTransform;
import io.llmrelay.trace.TraceContext;
import java.net.URI;
import java.util.function.Function;

/**
 * Makes a {@link RouteCall} for any route of a request: the primary, a fallback or a hedge. Each
 * route's transform edits the caller's request as it came (never another route's result), so a
 * fallback or a hedge gets its own system prompt and parameters, not the first route's.
 */
final class RouteCalls {
    private final AttemptSources sources;
    private final Router router;
    private final ChatCompletionRequest chat;
    private final Function<String, String> headers;
    private final String requestId;
    private final TraceContext trace;

    RouteCalls(AttemptSources sources, Router router, ChatCompletionRequest chat, Function<String, String> headers,
            String requestId, TraceContext trace) {
        this.sources = sources;
        this.router = router;
        this.chat = chat;
        this.headers = headers;
        this.requestId = requestId;
        this.trace = trace;
    }

    RouteCall prepare(RouteConfig route, RouteKey.Placed key) {
        ChatCompletionRequest routed = RequestTransform.apply(route.transform(), chat, headers);
        String upstreamModel = router.upstreamModel(route, chat.model());
        // Usage always known: ask for it when the caller did not, and have the usage chunk held back.
        boolean askUsage = route.requestUsage() && routed.needsUsageAsked(route.dropFields());
        byte[] body = routed.toUpstreamBody(upstreamModel, route.dropFields(), askUsage);
        String chunkModel = upstreamModel != null ? upstreamModel : chat.model();
        String callerModel = chat.model() != null && !chat.model().isBlank() ? chat.model() : chunkModel;
        URI baseUrl = URI.create(route.type() == RouteType.DEMO ? "demo://relay-demo" : route.baseUrl());
        return new RouteCall(route, sources.upstream(route, requestId), key, baseUrl, body, chat.stream(), requestId,
                chunkModel, callerModel, trace, askUsage);
    }
}
