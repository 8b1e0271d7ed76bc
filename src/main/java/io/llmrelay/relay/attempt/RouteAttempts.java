package io.llmrelay.relay.attempt;

import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.route.RouteKey;
import io.llmrelay.relay.route.Router;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.trace.TraceContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Attempt planning: gets an answer worth relaying from the upstreams, before anything has gone to
 * the caller. The route's own attempts (its key resolved first; connection failures, 429, 502, 503
 * and 504 retried with jittered backoff, within the route's retry budget and the deadline), each
 * raced against the route's hedge when it has one ({@link HedgeRace}, once per request), then its
 * fallback routes in order. Nothing here writes to the caller, which is what makes retrying and
 * hedging safe: once the first byte is out, the relay never tries again. {@link Attempt} opens one
 * attempt; {@link RouteCalls} makes what each route sends (its transform of the request included).
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
    private final ChatCompletionRequest chat;
    private final Deadline deadline;
    private final RequestLog log;
    private final RouteCalls calls;
    /** Every upstream key resolved for this request, to scrub from whatever an upstream says. */
    private final ResolvedKeys keys = new ResolvedKeys();
    private boolean hedged;

    /** A request whose headers and trace are not known: header variables in route prompts render as missing. */
    public RouteAttempts(AttemptSources sources, RelayConfig config, Router router, ChatCompletionRequest chat,
            Deadline deadline, RequestLog log, String requestId) {
        this(sources, config, router, chat, name -> null, deadline, log, requestId, null);
    }

    /**
     * @param headers the caller's request headers by lower-case name (null when absent), for route prompts
     * @param trace   the trace every upstream call of the request carries; null sends none
     */
    public RouteAttempts(AttemptSources sources, RelayConfig config, Router router, ChatCompletionRequest chat,
            Function<String, String> headers, Deadline deadline, RequestLog log, String requestId, TraceContext trace) {
        this.sources = sources;
        this.config = config;
        this.chat = chat;
        this.deadline = deadline;
        this.log = log;
        this.calls = new RouteCalls(sources, router, chat, headers, requestId, trace);
    }

    /** The keys resolved for this request; from now on a late hedge adds none and sends nothing. */
    public List<String> resolvedKeys() {
        return keys.seal();
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
        keys.add(key.key());
        return attempts(calls.prepare(route, key));
    }

    /** The route's attempts: the first, and retries while they may help and fit. */
    private RouteResult attempts(RouteCall call) {
        RouteConfig route = call.route();
        Attempt once = new Attempt(chat, deadline, log, config.deadlineMarginMs());
        long waitedMs = 0;
        for (int attempt = 1; ; attempt++) {
            long left = deadline.millisLeft();
            if (left <= 0) {
                return RouteResult.done(new Outcome.Failure(deadlinePassed()));
            }
            long timeout = Math.min(route.firstByteTimeoutMs(), left);
            Optional<RouteConfig> hedge = hedgeFor(route);
            Attempt.Try tried = hedge.isPresent() ? race(call, timeout, hedge.get())
                    : once.run(route, call.upstream(), call.request(timeout));
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

    /** The route this attempt may hedge with: none once a hedge has started for this request. */
    private Optional<RouteConfig> hedgeFor(RouteConfig route) {
        return hedged || !route.hedge().enabled() ? Optional.empty() : config.route(route.hedge().route());
    }

    /** One attempt on the route raced against one on the hedge route (which resolves its own key first). */
    private Attempt.Try race(RouteCall call, long timeout, RouteConfig hedgeRoute) {
        long margin = config.deadlineMarginMs();
        Contender.Work primary = self -> self.interruptibly(() ->
                new Attempt(chat, deadline, self.log(), margin).run(call.route(), call.upstream(), call.request(timeout)));
        Contender.Work hedge = self -> hedgeAttempt(self, hedgeRoute);
        HedgeRace race = new HedgeRace(deadline, log, margin);
        Attempt.Try tried = race.run(call.route(), primary, hedgeRoute, hedge);
        hedged |= race.hedgeStarted();
        return tried;
    }

    /** On the hedge's own thread: its key (waiting for which cannot be interrupted), then its attempt. */
    private Attempt.Try hedgeAttempt(Contender self, RouteConfig route) {
        RouteKey.Placed key;
        try {
            key = RouteKey.resolve(sources.keys(), route, deadline);
        } catch (RouteKey.Unavailable e) {
            self.log().attempt(route.name(), e.outcome(), e.detail());
            return Attempt.Try.settled(RouteResult.failed(new Outcome.Failure(
                    e.deadlinePassed() ? deadlinePassed() : e.error())));
        }
        long timeout = Math.min(route.firstByteTimeoutMs(), deadline.millisLeft());
        if (timeout <= 0 || !keys.add(key.key())) {
            return null; // out of time, or the request's attempts are over: nothing is sent
        }
        RouteCall call = calls.prepare(route, key);
        return self.interruptibly(() -> new Attempt(chat, deadline, self.log(), config.deadlineMarginMs())
                .run(route, call.upstream(), call.request(timeout)));
    }

    private OpenAiError deadlinePassed() {
        return ErrorContract.deadlineBeforeAnswer(config.deadlineMarginMs());
    }
}
