package io.llmrelay.relay;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.relay.UpstreamAttempts.Failure;
import io.llmrelay.relay.UpstreamAttempts.Outcome;
import io.llmrelay.relay.UpstreamAttempts.Refusal;
import io.llmrelay.relay.UpstreamAttempts.RouteResult;
import io.llmrelay.relay.UpstreamAttempts.Stream;
import io.llmrelay.relay.UpstreamAttempts.Whole;
import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamAnswer;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * One request to one upstream, read just far enough to know what it is: a stream with its first
 * event, a whole answer, a refusal, or a failure; and whether trying the same route again could
 * change that. {@link UpstreamAttempts} decides about retries and fallbacks.
 */
final class UpstreamAttempt {
    /** Worth another try: the upstream was busy or briefly unreachable, not wrong about the request. */
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 502, 503, 504);
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final ChatCompletionRequest chat;
    private final Deadline deadline;
    private final RequestLog log;
    private final long deadlineMarginMs;

    UpstreamAttempt(ChatCompletionRequest chat, Deadline deadline, RequestLog log, long deadlineMarginMs) {
        this.chat = chat;
        this.deadline = deadline;
        this.log = log;
        this.deadlineMarginMs = deadlineMarginMs;
    }

    /**
     * What one attempt came to: settled (an answer, or a failure another try on this route cannot
     * fix), or a failure worth retrying, with the wait the upstream asked for.
     */
    record Try(RouteResult settled, Outcome failure, Optional<Duration> askedWait) {
        static Try settled(RouteResult result) {
            return new Try(result, null, Optional.empty());
        }

        static Try retryable(Outcome failure, Optional<Duration> askedWait) {
            return new Try(null, failure, askedWait);
        }
    }

    /** Sends {@code request} once and reads as much of the answer as decides what it is. */
    Try run(RouteConfig route, Upstream upstream, UpstreamRequest request) {
        UpstreamAnswer answer;
        try {
            answer = upstream.open(request);
        } catch (UpstreamException e) {
            return noAnswer(route, e, request.firstByteTimeout().toMillis());
        } catch (RuntimeException e) {
            // Not one of ours; its message is nobody's business but the type says what broke.
            return noAnswer(route, new UpstreamException(UpstreamException.Kind.UNSENDABLE,
                    "the upstream call failed unexpectedly (" + e.getClass().getName() + ")", null),
                    request.firstByteTimeout().toMillis());
        }
        log.upstreamStatus(answer.status());
        return switch (answer) {
            case UpstreamAnswer.Whole whole when !chat.stream() -> {
                log.attempt(route.name(), Integer.toString(whole.status()));
                yield Try.settled(RouteResult.done(new Whole(route, whole.response())));
            }
            case UpstreamAnswer.Whole whole -> {
                // A whole JSON body (a chat.completion, or an error in a 2xx) where events were asked
                // for: the upstream is answering, only not as asked, so another try would get the same.
                whole.close();
                log.attempt(route.name(), whole.status() + "_json");
                yield Try.settled(RouteResult.done(new Failure(OpenAiError.upstreamInvalidResponse("The upstream of route '"
                        + route.name() + "' answered a streaming request with " + whole.response().jsonMediaType()
                        + " instead of an event stream."))));
            }
            case UpstreamAnswer.Stream stream -> opened(route, stream);
            case UpstreamAnswer.Refusal refused -> {
                log.attempt(route.name(), Integer.toString(refused.status()));
                Refusal refusal = refusal(route, refused.response());
                yield RETRYABLE_STATUSES.contains(refusal.status())
                        ? Try.retryable(refusal, RetryWaits.retryAfter(refusal.headers(), Instant.now()))
                        : Try.settled(RouteResult.done(refusal));
            }
        };
    }

    /** A stream, settled once its first item is in; an empty or broken one is worth another attempt. */
    private Try opened(RouteConfig route, UpstreamAnswer.Stream stream) {
        try {
            RouteResult opened = firstItem(route, stream);
            return opened != null ? Try.settled(opened) : Try.retryable(new Failure(OpenAiError.upstreamUnavailable(
                    "The upstream of route '" + route.name() + "' ended its stream without sending any event.")),
                    Optional.empty());
        } catch (BrokenBeforeFirstEvent e) {
            return Try.retryable(new Failure(OpenAiError.upstreamUnavailable("The upstream stream of route '"
                    + route.name() + "' broke off before its first event: " + e.getMessage())), Optional.empty());
        }
    }

    /** No response head: a timeout, a request that could not be sent, or an unreachable upstream. */
    private Try noAnswer(RouteConfig route, UpstreamException e, long timeoutMs) {
        return switch (e.kind()) {
            case TIMEOUT -> {
                log.attempt(route.name(), "timeout");
                if (timeoutMs < route.firstByteTimeoutMs()) {
                    yield Try.settled(RouteResult.done(new Failure(deadlinePassed(deadlineMarginMs))));
                }
                // Not retried: another wait as long would double the silence the caller hears.
                yield Try.settled(RouteResult.failed(new Failure(OpenAiError.upstreamTimeout("The upstream of route '"
                        + route.name() + "' did not answer within " + route.firstByteTimeoutMs() + " ms."))));
            }
            case UNSENDABLE -> {
                log.attempt(route.name(), "request_failed", e.getMessage());
                yield Try.settled(RouteResult.failed(new Failure(OpenAiError.upstreamUnavailable(
                        "The request to the upstream of route '" + route.name() + "' could not be sent: "
                                + e.getMessage()))));
            }
            case CONNECT -> {
                log.attempt(route.name(), "connect_failed", e.getMessage());
                yield Try.retryable(new Failure(OpenAiError.upstreamUnavailable("The upstream of route '"
                        + route.name() + "' could not be reached: " + e.getMessage())), Optional.empty());
            }
        };
    }

    /**
     * The stream's first item, as an opened {@link Stream}; null when the stream ended without
     * one. A stream that broke first throws: both are worth another attempt.
     */
    private RouteResult firstItem(RouteConfig route, UpstreamAnswer.Stream stream) throws BrokenBeforeFirstEvent {
        WatchedChunks chunks = new WatchedChunks(stream.chunks(), route.idleTimeoutMs(), deadline);
        StreamItem first;
        try {
            first = chunks.next();
        } catch (ReadFailure e) {
            chunks.close();
            log.attempt(route.name(), stream.status() + "_" + e.why().name().toLowerCase(Locale.ROOT));
            return switch (e.why()) {
                case DEADLINE -> RouteResult.done(new Failure(deadlinePassed(deadlineMarginMs)));
                case IDLE -> RouteResult.failed(new Failure(OpenAiError.upstreamTimeout("The upstream of route '"
                        + route.name() + "' sent nothing for " + route.idleTimeoutMs() + " ms.")));
                case BROKEN -> throw new BrokenBeforeFirstEvent(e.getMessage());
            };
        }
        if (first == null) {
            chunks.close();
            log.attempt(route.name(), stream.status() + "_empty");
            return null;
        }
        log.attempt(route.name(), Integer.toString(stream.status()));
        return RouteResult.done(new Stream(route, chunks, first));
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

    /** A 2xx stream that broke before its first event: as good as a connection failure. */
    private static final class BrokenBeforeFirstEvent extends Exception {
        BrokenBeforeFirstEvent(String message) {
            super(message);
        }
    }

    static OpenAiError deadlinePassed(long marginMs) {
        return OpenAiError.deadlineExceeded("The invocation is about to reach its time limit ("
                + marginMs + " ms margin) before the upstream answered.");
    }
}
