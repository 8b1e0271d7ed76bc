package io.llmrelay.relay;

import io.llmrelay.config.RelayConfig;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.attempt.Outcome;
import io.llmrelay.relay.attempt.RouteAttempts;
import io.llmrelay.relay.log.RequestLog;
import io.llmrelay.relay.out.CallerGoneException;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ChunkWriter;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.out.EscapedFailure;
import io.llmrelay.relay.out.ResponseScrubber;
import io.llmrelay.relay.route.Router;
import io.llmrelay.relay.stream.StreamRelay;
import io.llmrelay.relay.stream.WholeRelay;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.relay.watch.WatchedChunks;
import io.llmrelay.trace.TraceContext;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.util.Optional;

/**
 * One chat completion, stage by stage: the body checked and read as a chat request (in the
 * caller's API, {@link CallerApi}: as it came for {@code /chat/completions}, translated for
 * {@code /responses}), the route chosen among those the caller may use, the upstreams tried
 * ({@link RouteAttempts}: each route's transform of the request, keys, hedges, retries and
 * fallbacks, all before the first byte), then the outcome relayed: a stream by
 * {@link StreamRelay} into the API's writer, a whole answer by the API's whole-answer step
 * ({@link WholeRelay}), a refusal or failure by the {@link ErrorContract}.
 */
final class ChatCompletionCall {
    private final RelaySetup setup;
    private final RelayConfig config;
    private final Router router;
    private final FunctionUrlRequest request;
    private final String requestId;
    private final TraceContext trace;
    private final Deadline deadline;
    private final CallerOutput out;
    private final ErrorContract errors;
    private final CallerApi api;

    /** @param router the routes the caller may use: any other model is one nobody serves */
    ChatCompletionCall(RelaySetup setup, RelayConfig config, Router router, FunctionUrlRequest request, String requestId,
            TraceContext trace, Deadline deadline, CallerOutput out, ErrorContract errors, CallerApi api) {
        this.setup = setup;
        this.config = config;
        this.router = router;
        this.request = request;
        this.requestId = requestId;
        this.trace = trace;
        this.deadline = deadline;
        this.out = out;
        this.errors = errors;
        this.api = api;
    }

    void run() throws IOException {
        RequestLog log = out.log();
        if (request.body().length > config.maxRequestBytes()) {
            errors.replyOwn(OpenAiError.requestTooLarge(config.maxRequestBytes()));
            return;
        }
        ChatCompletionRequest chat;
        try {
            chat = api.read(request.body());
        } catch (InvalidRequestException e) {
            errors.replyOwn(e.error());
            return;
        }
        Optional<RouteConfig> route = router.route(chat.model());
        if (route.isEmpty()) {
            errors.replyOwn(OpenAiError.modelNotFound(chat.model()));
            return;
        }
        log.route(route.get().name(), chat.model(), chat.stream());
        RouteAttempts attempts = new RouteAttempts(setup, config, router, chat, request::header, deadline, log,
                requestId, trace);
        Outcome outcome = attempts.open(route.get());
        out.scrubWith(ResponseScrubber.of(attempts.resolvedKeys(), deadline));
        relay(outcome);
    }

    /** The outcome to the caller; closing the upstream (try-with-resources) is what stops its token generation. */
    private void relay(Outcome outcome) throws IOException {
        ChunkWriter writer = api.streamWriter(out);
        try {
            switch (outcome) {
                case Outcome.Failure failure -> errors.reply(failure.error());
                case Outcome.Refusal refusal -> errors.relayRefusal(refusal.route().name(), refusal.status(),
                        refusal.headers(), refusal.body(), refusal.translated());
                case Outcome.Whole whole -> {
                    try (UpstreamResponse answer = whole.answer()) {
                        api.whole(whole.route(), answer, deadline, out, errors, config.deadlineMarginMs());
                    }
                }
                case Outcome.Stream stream -> {
                    try (WatchedChunks chunks = stream.chunks()) {
                        RouteConfig route = stream.route();
                        chunks.limitTo(route.maxStreamSeconds() * 1000L);
                        try {
                            new StreamRelay(writer, errors, route.name(), route.idleTimeoutMs(), config.deadlineMarginMs())
                                    .run(chunks, stream.first());
                        } finally {
                            out.log().usage(chunks.usage()); // what the upstream reported, sent on or not
                        }
                    }
                }
            }
        } catch (CallerGoneException e) {
            // The one line of a hang-up: the runtime and serve say nothing more of it.
            out.log().error("caller_disconnected");
            out.log().errorDetail(EscapedFailure.describe(e.getCause()));
        } catch (ResponseScrubber.OutOfTime e) {
            errors.outOfTime(writer, config.deadlineMarginMs());
        }
    }
}
