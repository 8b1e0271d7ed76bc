package io.llmrelay.relay.attempt;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.relay.attempt.RouteAttempts.RouteResult;
import io.llmrelay.relay.log.AttemptLog;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.relay.watch.ReadFailure;
import io.llmrelay.relay.watch.WatchedChunks;
import io.llmrelay.relay.watch.WholeBody;
import io.llmrelay.upstream.StreamItem;
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
 * Opening one attempt: one request to one upstream, read just far enough to know what it is (a
 * stream with its first item, a whole answer, a refusal, or a failure) and whether trying the same
 * route again could change that. {@link RouteAttempts} decides about retries and fallbacks.
 */
final class Attempt {
    /** Worth another try: the upstream was busy or briefly unreachable, not wrong about the request. */
    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(429, 502, 503, 504);
    private static final int MAX_ERROR_BODY_BYTES = 64 * 1024;

    private final ChatCompletionRequest chat;
    private final Deadline deadline;
    private final AttemptLog log;
    private final long deadlineMarginMs;

    /** @param log the request log, or (for an attempt racing another) a log held until the race is decided */
    Attempt(ChatCompletionRequest chat, Deadline deadline, AttemptLog log, long deadlineMarginMs) {
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

        /** An answer worth relaying: a stream with its first item, or a whole answer. */
        boolean succeeded() {
            return settled != null && (settled.outcome() instanceof Outcome.Stream
                    || settled.outcome() instanceof Outcome.Whole);
        }

        /** Closes the exchange of an answer that will not be relayed (a hedge's loser); failures hold none. */
        void abandon() {
            if (settled == null) {
                return;
            }
            switch (settled.outcome()) {
                case Outcome.Stream stream -> stream.chunks().close();
                case Outcome.Whole whole -> whole.answer().close();
                default -> { }
            }
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
        log.upstreamRequestId(answer.upstreamRequestId());
        return switch (answer) {
            case UpstreamAnswer.Whole whole when !chat.stream() -> {
                log.attempt(route.name(), Integer.toString(whole.status()));
                yield Try.settled(RouteResult.done(new Outcome.Whole(route, whole.response())));
            }
            case UpstreamAnswer.Whole whole -> {
                // A whole JSON body (a chat.completion, or an error in a 2xx) where events were asked
                // for: the upstream is answering, only not as asked, so another try would get the same.
                whole.close();
                log.attempt(route.name(), whole.status() + "_json");
                yield Try.settled(RouteResult.done(new Outcome.Failure(
                        ErrorContract.notAStream(route.name(), whole.response().jsonMediaType()))));
            }
            case UpstreamAnswer.Stream stream -> opened(route, stream);
            case UpstreamAnswer.Refusal refused -> {
                log.attempt(route.name(), Integer.toString(refused.status()));
                Outcome.Refusal refusal = refusal(route, refused);
                yield RETRYABLE_STATUSES.contains(refusal.status())
                        ? Try.retryable(refusal, RetryWaits.retryAfter(refusal.headers(), Instant.now()))
                        : Try.settled(RouteResult.done(refusal));
            }
        };
    }

    /** No response head: a timeout, a request that could not be sent, or an unreachable upstream. */
    private Try noAnswer(RouteConfig route, UpstreamException e, long timeoutMs) {
        return switch (e.kind()) {
            case TIMEOUT -> {
                log.attempt(route.name(), "timeout");
                if (timeoutMs < route.firstByteTimeoutMs()) {
                    yield Try.settled(RouteResult.done(new Outcome.Failure(
                            ErrorContract.deadlineBeforeAnswer(deadlineMarginMs))));
                }
                yield Try.settled(RouteResult.failed(new Outcome.Failure(
                        ErrorContract.noAnswerInTime(route.name(), route.firstByteTimeoutMs()))));
            }
            case UNSENDABLE -> {
                log.attempt(route.name(), "request_failed", e.getMessage());
                yield Try.settled(RouteResult.failed(new Outcome.Failure(
                        ErrorContract.unsendable(route.name(), e.getMessage()))));
            }
            case CONNECT -> {
                log.attempt(route.name(), "connect_failed", e.getMessage());
                yield Try.retryable(new Outcome.Failure(ErrorContract.unreachable(route.name(), e.getMessage())),
                        Optional.empty());
            }
        };
    }

    /**
     * A stream is settled once its first item is in. One that ended without any, or broke off
     * before it, is worth another attempt; one that went quiet is worth a fallback.
     */
    private Try opened(RouteConfig route, UpstreamAnswer.Stream stream) {
        WatchedChunks chunks = new WatchedChunks(stream.chunks(), route.idleTimeoutMs(), deadline);
        StreamItem first;
        try {
            first = chunks.next();
        } catch (ReadFailure e) {
            chunks.close();
            log.attempt(route.name(), stream.status() + "_" + e.why().name().toLowerCase(Locale.ROOT));
            Outcome.Failure failure = new Outcome.Failure(ErrorContract.readFailure(e, ErrorContract.Phase.OPENING,
                    route.name(), route.idleTimeoutMs(), deadlineMarginMs));
            return switch (e.why()) {
                case DEADLINE, STREAM_LIMIT -> Try.settled(RouteResult.done(failure)); // no limit is set while opening
                case IDLE -> Try.settled(RouteResult.failed(failure));
                case BROKEN -> Try.retryable(failure, Optional.empty());
            };
        }
        if (first == null) {
            chunks.close();
            log.attempt(route.name(), stream.status() + "_empty");
            return Try.retryable(new Outcome.Failure(ErrorContract.emptyStream(route.name())), Optional.empty());
        }
        log.attempt(route.name(), Integer.toString(stream.status()));
        return Try.settled(RouteResult.done(new Outcome.Stream(route, chunks, first)));
    }

    /** Reads a refusal's body (bounded in size, by the idle timeout and the deadline) and closes the exchange. */
    private Outcome.Refusal refusal(RouteConfig route, UpstreamAnswer.Refusal refused) {
        UpstreamResponse answer = refused.response();
        byte[] body;
        try (answer) {
            body = WholeBody.read(answer, MAX_ERROR_BODY_BYTES, route.idleTimeoutMs(), deadline);
        } catch (ReadFailure e) {
            body = new byte[0]; // the status alone still says what happened
        }
        return new Outcome.Refusal(route, answer.status(), answer.headers(), body, refused.translated());
    }
}
