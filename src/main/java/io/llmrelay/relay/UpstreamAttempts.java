package io.llmrelay.relay;

import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.config.RouteType;
import io.llmrelay.keys.KeyUnavailableException;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.openai.SseEvent;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
    /** Worth another try: the upstream was busy or briefly unreachable, not wrong about the request. */
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 502, 503, 504);
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    /** What the attempts came to. */
    sealed interface Outcome {}

    /** A 2xx stream whose first event has arrived; the rest is still to be read. */
    record Stream(RouteConfig route, String upstreamModel, UpstreamEvents events, SseEvent first) implements Outcome {}

    /** A 2xx non-streaming answer, body still to be read. */
    record Whole(RouteConfig route, UpstreamResponse answer) implements Outcome {}

    /** The upstream's refusal (a non-2xx), read whole: relayed as the error contract says. */
    record Refusal(RouteConfig route, int status, Map<String, String> headers, byte[] body) implements Outcome {}

    /** No usable answer: the relay's own error. */
    record Failure(OpenAiError error) implements Outcome {}

    /** What one route came to, and whether its fallbacks may still help. */
    private record RouteResult(Outcome outcome, boolean tryFallback) {
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
        String upstreamModel = router.upstreamModel(route, chat.model());
        byte[] body = chat.toUpstreamBody(upstreamModel, route.dropFields());
        String key = null;
        Map<String, String> headers = new LinkedHashMap<>(route.headers());
        if (route.apiKey() != null) {
            try {
                String resolved = setup.keys().resolve(route.name(), route.apiKey());
                keys.add(resolved);
                if (route.bearerAuth()) {
                    key = resolved;
                } else {
                    headers.put(route.apiKeyHeader(), resolved);
                }
            } catch (KeyUnavailableException e) {
                // The answer names the route, never a key or ciphertext.
                log.attempt(route.name(), "key_unavailable");
                return RouteResult.failed(new Failure(OpenAiError.keyUnavailable(route.name())));
            }
        }
        URI baseUrl = URI.create(route.type() == RouteType.DEMO ? "demo://relay-demo" : route.baseUrl());
        Upstream upstream = setup.upstream(route);
        long waitedMs = 0;
        for (int attempt = 1; ; attempt++) {
            long left = deadline.millisLeft();
            if (left <= 0) {
                return RouteResult.done(new Failure(deadlinePassed()));
            }
            long timeout = Math.min(route.firstByteTimeoutMs(), left);
            UpstreamRequest request = new UpstreamRequest(baseUrl, key, headers, body, chat.stream(),
                    Duration.ofMillis(timeout), requestId);
            Outcome failure;
            Optional<Duration> askedWait = Optional.empty();
            try {
                UpstreamResponse answer = upstream.send(request);
                log.upstreamStatus(answer.status());
                if (answer.isSuccess() && !chat.stream()) {
                    log.attempt(route.name(), Integer.toString(answer.status()));
                    return RouteResult.done(new Whole(route, answer));
                }
                if (answer.isSuccess()) {
                    RouteResult opened = firstEvent(route, upstreamModel, answer);
                    if (opened != null) {
                        return opened;
                    }
                    failure = new Failure(OpenAiError.upstreamUnavailable("The upstream of route '" + route.name()
                            + "' ended its stream without sending any event."));
                } else {
                    log.attempt(route.name(), Integer.toString(answer.status()));
                    Refusal refusal = refusal(route, answer);
                    if (!RETRYABLE_STATUSES.contains(refusal.status())) {
                        return RouteResult.done(refusal);
                    }
                    failure = refusal;
                    askedWait = RetryWaits.retryAfter(refusal.headers(), Instant.now());
                }
            } catch (UpstreamException e) {
                if (e.kind() == UpstreamException.Kind.TIMEOUT) {
                    log.attempt(route.name(), "timeout");
                    if (timeout < route.firstByteTimeoutMs()) {
                        return RouteResult.done(new Failure(deadlinePassed()));
                    }
                    // Not retried: another wait as long would double the silence the caller hears.
                    return RouteResult.failed(new Failure(OpenAiError.upstreamTimeout("The upstream of route '"
                            + route.name() + "' did not answer within " + route.firstByteTimeoutMs() + " ms.")));
                }
                log.attempt(route.name(), "connect_failed");
                failure = new Failure(OpenAiError.upstreamUnavailable("The upstream of route '" + route.name()
                        + "' could not be reached: " + e.getMessage()));
            } catch (BrokenBeforeFirstEvent e) {
                failure = new Failure(OpenAiError.upstreamUnavailable("The upstream stream of route '" + route.name()
                        + "' broke off before its first event: " + e.getMessage()));
            }
            if (attempt > route.retries()) {
                return RouteResult.failed(failure);
            }
            Duration wait = RetryWaits.backoff(attempt);
            if (askedWait.isPresent() && askedWait.get().compareTo(wait) > 0) {
                wait = askedWait.get();
            }
            if (waitedMs + wait.toMillis() > route.retryBudgetMs() || wait.toMillis() >= deadline.millisLeft()) {
                // Waiting that long is worse for a live caller than the failure (or a fallback) now.
                return RouteResult.failed(failure);
            }
            try {
                setup.pause().pause(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return RouteResult.done(failure);
            }
            waitedMs += wait.toMillis();
            log.retryWait(wait.toMillis());
        }
    }

    /**
     * The stream's first event, as an opened {@link Stream}; null when the stream ended without
     * one. A stream that broke first throws: both are worth another attempt.
     */
    private RouteResult firstEvent(RouteConfig route, String upstreamModel, UpstreamResponse answer)
            throws BrokenBeforeFirstEvent {
        UpstreamEvents events = new UpstreamEvents(answer, route.idleTimeoutMs(), deadline);
        SseEvent first;
        try {
            first = events.next();
        } catch (ReadFailure e) {
            events.close();
            log.attempt(route.name(), answer.status() + "_" + e.why().name().toLowerCase(Locale.ROOT));
            return switch (e.why()) {
                case DEADLINE -> RouteResult.done(new Failure(deadlinePassed()));
                case IDLE -> RouteResult.failed(new Failure(OpenAiError.upstreamTimeout("The upstream of route '"
                        + route.name() + "' sent nothing for " + route.idleTimeoutMs() + " ms.")));
                case BROKEN -> throw new BrokenBeforeFirstEvent(e.getMessage());
            };
        }
        if (first == null) {
            events.close();
            log.attempt(route.name(), answer.status() + "_empty");
            return null;
        }
        log.attempt(route.name(), Integer.toString(answer.status()));
        return RouteResult.done(new Stream(route, upstreamModel, events, first));
    }

    /** Reads a refusal's body (bounded in size, by the idle timeout and the deadline) and closes the exchange. */
    private Refusal refusal(RouteConfig route, UpstreamResponse answer) {
        byte[] body;
        try (answer) {
            body = WholeBody.read(answer, MAX_ERROR_BODY_BYTES, route.idleTimeoutMs(), deadline);
        } catch (ReadFailure e) {
            body = new byte[0]; // the status alone still says what happened
        }
        return new Refusal(route, answer.status(), answer.headers(), body);
    }

    private OpenAiError deadlinePassed() {
        return OpenAiError.deadlineExceeded("The invocation is about to reach its time limit ("
                + config.deadlineMarginMs() + " ms margin) before the upstream answered.");
    }

    /** A 2xx stream that broke before its first event: as good as a connection failure. */
    private static final class BrokenBeforeFirstEvent extends Exception {
        BrokenBeforeFirstEvent(String message) {
            super(message);
        }
    }
}
