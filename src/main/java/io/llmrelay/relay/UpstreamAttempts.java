package io.llmrelay.relay;

import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.config.RouteType;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Gets an answer worth relaying from the upstreams, before anything has gone to the caller: the
 * route's own attempts (retrying connection failures, 429, 502, 503 and 504 with jittered
 * backoff, within the route's retry budget), then its fallback routes in order. Nothing here
 * writes to the caller, which is what makes retrying safe: once the first byte is out, the
 * relay never tries again.
 *
 * <p>A streamed answer counts as "opened" only once its first event is in, so an upstream that
 * accepts the request and then drops the connection is retried like one that refused it.
 */
final class UpstreamAttempts {
    /** What the attempts came to. */
    sealed interface Outcome {}

    /** A 2xx stream whose first item has arrived; the rest is still to be read. */
    record Stream(RouteConfig route, WatchedChunks chunks, StreamItem first) implements Outcome {}

    /** A 2xx non-streaming answer, body still to be read. */
    record Whole(RouteConfig route, UpstreamResponse answer) implements Outcome {}

    /** The upstream's refusal (a non-2xx), read whole: relayed as the error contract says. */
    record Refusal(RouteConfig route, int status, Map<String, String> headers, byte[] body) implements Outcome {}

    /** No usable answer: the relay's own error. */
    record Failure(OpenAiError error) implements Outcome {}

    /** What one route came to, and whether its fallbacks may still help. */
    record RouteResult(Outcome outcome, boolean tryFallback) {
        static RouteResult done(Outcome outcome) {
            return new RouteResult(outcome, false);
        }

        static RouteResult failed(Outcome outcome) {
            return new RouteResult(outcome, true);
        }
    }

    private final RelaySetup setup;
    private final RelayConfig config;
    private final Router router;
    private final ChatCompletionRequest chat;
    private final Deadline deadline;
    private final RequestLog log;
    private final String requestId;
    /** Every upstream key resolved for this request, to scrub from whatever an upstream says. */
    private final List<String> keys = new ArrayList<>();

    UpstreamAttempts(RelaySetup setup, RelayConfig config, Router router, ChatCompletionRequest chat,
            Deadline deadline, RequestLog log, String requestId) {
        this.setup = setup;
        this.config = config;
        this.router = router;
        this.chat = chat;
        this.deadline = deadline;
        this.log = log;
        this.requestId = requestId;
    }

    List<String> resolvedKeys() {
        return keys;
    }

    /** Tries {@code route}, then its fallbacks, until one gives an answer or a failure they cannot fix. */
    Outcome open(RouteConfig route) {
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
            return RouteResult.done(new Failure(deadlinePassed()));
        }
        RouteKey.Placed key;
        try {
            key = RouteKey.resolve(setup.keys(), route, deadline);
        } catch (RouteKey.Unavailable e) {
            log.attempt(route.name(), e.outcome(), e.detail());
            return e.deadlinePassed() ? RouteResult.done(new Failure(deadlinePassed()))
                    : RouteResult.failed(new Failure(e.error()));
        }
        return attempts(route, key);
    }

    /** The route's attempts with its key: the first, and retries while they may help and fit. */
    private RouteResult attempts(RouteConfig route, RouteKey.Placed key) {
        if (key.key() != null) {
            keys.add(key.key());
        }
        String upstreamModel = router.upstreamModel(route, chat.model());
        byte[] body = chat.toUpstreamBody(upstreamModel, route.dropFields());
        String chunkModel = upstreamModel != null ? upstreamModel : chat.model();
        URI baseUrl = URI.create(route.type() == RouteType.DEMO ? "demo://relay-demo" : route.baseUrl());
        Upstream upstream = setup.upstreams().forRoute(route,
                TranslationNoteLog.of(setup.requestLog(), setup.logLevel(), route.name(), requestId));
        UpstreamAttempt once = new UpstreamAttempt(chat, deadline, log, config.deadlineMarginMs());
        long waitedMs = 0;
        for (int attempt = 1; ; attempt++) {
            long left = deadline.millisLeft();
            if (left <= 0) {
                return RouteResult.done(new Failure(deadlinePassed()));
            }
            long timeout = Math.min(route.firstByteTimeoutMs(), left);
            UpstreamAttempt.Try tried = once.run(route, upstream, new UpstreamRequest(baseUrl, key.bearerKey(),
                    key.headers(), body, chat.stream(), Duration.ofMillis(timeout), requestId, chunkModel));
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
                setup.pause().pause(wait.get());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return RouteResult.done(tried.failure());
            }
            waitedMs += wait.get().toMillis();
            log.retryWait(wait.get().toMillis());
        }
    }

    private OpenAiError deadlinePassed() {
        return UpstreamAttempt.deadlinePassed(config.deadlineMarginMs());
    }
}
