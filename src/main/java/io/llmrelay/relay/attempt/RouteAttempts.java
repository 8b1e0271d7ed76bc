package io.llmrelay.relay.attempt;

import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.config.RouteType;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.route.RouteKey;
import io.llmrelay.relay.route.Router;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.trace.TraceContext;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamRequest;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Attempt planning: gets an answer worth relaying from the upstreams, before anything has gone to
 * the caller. The route's own attempts (its key resolved first; connection failures, 429, 502, 503
 * and 504 retried with jittered backoff, within the route's retry budget and the deadline), then
 * its fallback routes in order. Nothing here writes to the caller, which is what makes retrying
 * safe: once the first byte is out, the relay never tries again. {@link Attempt} opens one attempt.
 */
public final class RouteAttempts {
    /** What one route came to, and whether its fallbacks may still help. */
    record RouteResult(Outcome outcome, boolean tryFallback) {
        static RouteResult done(Outcome outcome) {
            return new RouteResult(outcome, false);
        }

        static RouteResult failed(Outcome outcome) {
            return new RouteResult(outcome, true);
        }
    }

    private final AttemptSources sources;
    private final RelayConfig config;
    private final Router router;
    private final ChatCompletionRequest chat;
    private final Deadline deadline;
    private final RequestLog log;
    private final String requestId;
    private final TraceContext trace;
    /** Every upstream key resolved for this request, to scrub from whatever an upstream says. */
    private final List<String> keys = new ArrayList<>();

    /** @param trace the trace every upstream call of the request carries */
    public RouteAttempts(AttemptSources sources, RelayConfig config, Router router, ChatCompletionRequest chat,
            Deadline deadline, RequestLog log, String requestId, TraceContext trace) {
        this.sources = sources;
        this.config = config;
        this.router = router;
        this.chat = chat;
        this.deadline = deadline;
        this.log = log;
        this.requestId = requestId;
        this.trace = trace;
    }

    public List<String> resolvedKeys() {
        return keys;
    }

    /** Tries {@code route}, then its fallbacks, until one gives an answer or a failure they cannot fix. */
    public Outcome open(RouteConfig route) {
        List<RouteConfig> candidates = new ArrayList<>();
        candidates.add(route);
        route.fallback().forEach(name -> config.route(name).ifPresent(candidates::add));
        Outcome last = null;
        for (RouteConfig candidate : candidates) {
            RouteResult result = tryRoute(candidate);
            if (!result.tryFallback()) {
                return result.outcome();
            }
            // Another route's answer replaces this one; its refusal body will not be read again.
            last = result.outcome();
        }
        return last;
    }

    private RouteResult tryRoute(RouteConfig route) {
        if (deadline.passed()) {
            // Nothing to gain from a key store or an upstream the caller can no longer wait for.
            return RouteResult.done(new Outcome.Failure(deadlinePassed()));
        }
        RouteKey.Placed key;
        try {
            key = RouteKey.resolve(sources.keys(), route, deadline);
        } catch (RouteKey.Unavailable e) {
            log.attempt(route.name(), e.outcome(), e.detail());
            return e.deadlinePassed() ? RouteResult.done(new Outcome.Failure(deadlinePassed()))
                    : RouteResult.failed(new Outcome.Failure(e.error()));
        }
        if (key.key() != null) {
            keys.add(key.key());
        }
        return attempts(route, key);
    }

    /** The route's attempts with its key: the first, and retries while they may help and fit. */
    private RouteResult attempts(RouteConfig route, RouteKey.Placed key) {
        String upstreamModel = router.upstreamModel(route, chat.model());
        // Usage always known: ask for it when the caller did not, and have the usage chunk held back.
        boolean askUsage = route.requestUsage() && chat.needsUsageAsked(route.dropFields());
        byte[] body = chat.toUpstreamBody(upstreamModel, route.dropFields(), askUsage);
        String chunkModel = upstreamModel != null ? upstreamModel : chat.model();
        URI baseUrl = URI.create(route.type() == RouteType.DEMO ? "demo://relay-demo" : route.baseUrl());
        Upstream upstream = sources.upstream(route, requestId);
        Attempt once = new Attempt(chat, deadline, log, config.deadlineMarginMs());
        long waitedMs = 0;
        for (int attempt = 1; ; attempt++) {
            long left = deadline.millisLeft();
            if (left <= 0) {
                return RouteResult.done(new Outcome.Failure(deadlinePassed()));
            }
            long timeout = Math.min(route.firstByteTimeoutMs(), left);
            Attempt.Try tried = once.run(route, upstream, new UpstreamRequest(baseUrl, key.bearerKey(), key.headers(),
                    body, chat.stream(), Duration.ofMillis(timeout), requestId, chunkModel, trace, askUsage));
            if (tried.settled() != null) {
                return tried.settled();
            }
            if (attempt > route.retries()) {
                return RouteResult.failed(tried.failure());
            }
            Optional<Duration> wait = RetryWaits.nextWait(attempt, tried.askedWait(), waitedMs,
                    route.retryBudgetMs(), deadline.millisLeft());
            if (wait.isEmpty()) {
                return RouteResult.failed(tried.failure());
            }
            try {
                sources.pause().pause(wait.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return RouteResult.done(tried.failure());
            }
            waitedMs += wait.get().toMillis();
            log.retryWait(wait.get().toMillis());
        }
    }

    private OpenAiError deadlinePassed() {
        return ErrorContract.deadlineBeforeAnswer(config.deadlineMarginMs());
    }
}
