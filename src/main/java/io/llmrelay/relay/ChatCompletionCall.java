package io.llmrelay.relay;

import com.amazonaws.services.lambda.runtime.Context;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.functionurl.FunctionUrlRequest;
import io.llmrelay.functionurl.FunctionUrlResponse;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.ChatSse;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Optional;

/**
 * One {@code POST /chat/completions}: validate, route, get an answer from the upstreams
 * ({@link UpstreamAttempts}: retries and fallbacks, all before the first byte) and relay it.
 *
 * <p>The error contract: until the first byte goes to the caller, every failure gets its own
 * HTTP status and an OpenAI error body. After it, a failure becomes one
 * {@code data: {"error":{...}}} event followed by {@code data: [DONE]}, and the invocation ends
 * normally: the official OpenAI SDKs raise an APIError on such an event. That includes the
 * invocation's own deadline, which the relay meets a configured margin early.
 */
final class ChatCompletionCall {
    /** Non-streaming answers are read whole; bounded all the same. */
    private static final int MAX_WHOLE_BODY_BYTES = 32 * 1024 * 1024;
    static final String EVENT_STREAM = "text/event-stream; charset=utf-8";

    private final RelaySetup setup;
    private final RelayHandler.Snapshot snapshot;
    private final FunctionUrlRequest request;
    private final FunctionUrlResponse response;
    private final Context context;
    private final RequestLog log;
    /** Scrubs the upstream keys resolved for this request from everything the caller gets. */
    private ResponseScrubber scrubber = ResponseScrubber.NONE;

    ChatCompletionCall(RelaySetup setup, RelayHandler.Snapshot snapshot, FunctionUrlRequest request,
            FunctionUrlResponse response, Context context, RequestLog log) {
        this.setup = setup;
        this.snapshot = snapshot;
        this.request = request;
        this.response = response;
        this.context = context;
        this.log = log;
    }

    /** A write to the caller failed: the caller has gone, and nobody is left to tell. */
    private static final class CallerGoneException extends IOException {
        CallerGoneException(IOException cause) {
            super("the caller went away: " + cause.getMessage(), cause);
        }
    }

    void run() throws IOException {
        long maxBytes = snapshot.config().maxRequestBytes();
        if (request.body().length > maxBytes) {
            ErrorReply.send(response, log, OpenAiError.requestTooLarge(maxBytes));
            return;
        }
        ChatCompletionRequest chat;
        try {
            chat = ChatCompletionRequest.parse(request.body());
        } catch (InvalidRequestException e) {
            ErrorReply.send(response, log, e.error());
            return;
        }
        Optional<RouteConfig> found = snapshot.router().route(chat.model());
        if (found.isEmpty()) {
            ErrorReply.send(response, log, OpenAiError.modelNotFound(chat.model()));
            return;
        }
        RouteConfig route = found.get();
        log.route(route.name(), chat.model(), chat.stream());
        Deadline deadline = Deadline.of(context, snapshot.config().deadlineMarginMs());
        UpstreamAttempts attempts = new UpstreamAttempts(setup, snapshot.config(), snapshot.router(), chat,
                deadline, log, context.getAwsRequestId());
        UpstreamAttempts.Outcome outcome = attempts.open(route);
        scrubber = ResponseScrubber.of(attempts.resolvedKeys(), deadline);
        try {
            switch (outcome) {
                case UpstreamAttempts.Failure failure -> reply(failure.error());
                case UpstreamAttempts.Refusal refusal -> relayUpstreamError(refusal);
                case UpstreamAttempts.Whole whole -> {
                    try (UpstreamResponse answer = whole.answer()) {
                        relayWhole(whole.route(), answer, deadline);
                    }
                }
                case UpstreamAttempts.Stream stream -> {
                    try (WatchedChunks chunks = stream.chunks()) {
                        relayStream(stream.route(), chunks, stream.first());
                    }
                }
            }
        } catch (CallerGoneException e) {
            // Closing the upstream (try-with-resources above) is what stops token generation.
            log.error("caller_disconnected");
        } catch (ResponseScrubber.OutOfTime e) {
            tooLateToScrub();
        }
    }

    /** The deadline came while an answer was being scrubbed: instead of it, the caller learns why. */
    private void tooLateToScrub() throws IOException {
        OpenAiError late = ResponseScrubber.OutOfTime.error(snapshot.config().deadlineMarginMs());
        if (!response.isCommitted()) {
            ErrorReply.send(response, log, late);
            return;
        }
        log.error(late.code());
        try {
            send(ChatSse.errorEvent(late));
            send(ChatSse.done());
        } catch (CallerGoneException e) {
            log.error("caller_disconnected");
        }
    }

    /**
     * Relays the upstream's chunks one by one, each flushed before the next is read. The head
     * goes out with the first chunk, so a first item that is a failure still gets a real status.
     */
    private void relayStream(RouteConfig route, WatchedChunks chunks, StreamItem first) throws IOException {
        boolean started = false;
        StreamItem item = first;
        while (true) {
            if (item == null) {
                send(ChatSse.done()); // the upstream forgot [DONE]; callers wait for it
                return;
            }
            if (item instanceof StreamItem.Failure failure) {
                // The upstream's own words, which may quote its key (whole or masked): scrubbed like error bodies.
                OpenAiError failed = failure.upstreamWords() ? scrubber.error(failure.error()) : failure.error();
                if (!started) {
                    reply(failed);
                    return;
                }
                log.error(failed.code() != null ? failed.code() : failed.type());
                send(ChatSse.errorEvent(failed));
                send(ChatSse.done());
                return;
            }
            if (!started) {
                started = true;
                log.status(200);
                response.status(200)
                        .header("content-type", EVENT_STREAM)
                        .header("cache-control", "no-cache");
            }
            if (item instanceof StreamItem.Chunk chunk) {
                send(ChatSse.frame(chunk.json()));
            } else {
                send(ChatSse.done());
                return;
            }
            try {
                item = chunks.next();
            } catch (ReadFailure e) {
                OpenAiError broken = switch (e.why()) {
                    case DEADLINE -> OpenAiError.deadlineExceeded("The invocation reached its time limit ("
                            + snapshot.config().deadlineMarginMs() + " ms margin) while the upstream was still streaming.");
                    case IDLE -> OpenAiError.upstreamTimeout("The upstream of route '" + route.name() + "' sent nothing for "
                            + route.idleTimeoutMs() + " ms.");
                    case BROKEN -> OpenAiError.upstreamUnavailable("The upstream stream broke off: " + e.getMessage());
                };
                log.error(broken.code());
                send(ChatSse.errorEvent(broken));
                send(ChatSse.done());
                return;
            }
        }
    }

    /** A non-streaming answer: the upstream's {@code chat.completion} as it came. */
    private void relayWhole(RouteConfig route, UpstreamResponse answer, Deadline deadline) throws IOException {
        byte[] body;
        try {
            body = WholeBody.readComplete(answer, MAX_WHOLE_BODY_BYTES, route.idleTimeoutMs(), deadline);
        } catch (WholeBody.TooLarge e) {
            ErrorReply.send(response, log, OpenAiError.upstreamInvalidResponse("The upstream's answer is "
                    + e.getMessage() + ", the most the relay passes on whole."));
            return;
        } catch (ReadFailure e) {
            reply(switch (e.why()) {
                case DEADLINE -> OpenAiError.deadlineExceeded("The invocation reached its time limit ("
                        + snapshot.config().deadlineMarginMs() + " ms margin) before the upstream's answer was complete.");
                case IDLE -> OpenAiError.upstreamTimeout("The upstream of route '" + route.name()
                        + "' sent nothing for " + route.idleTimeoutMs() + " ms.");
                case BROKEN -> OpenAiError.upstreamUnavailable("The upstream answer broke off: " + e.getMessage());
            });
            return;
        }
        String type = scrubber.text(answer.header("content-type"));
        log.status(200);
        response.status(200).header("content-type", type != null ? type : "application/json");
        send(body);
    }

    /**
     * An upstream 4xx with an OpenAI-shaped body goes to the caller as it is (status, body, and
     * {@code retry-after} on 429); anything else, 5xx above all, is the upstream failing: 502.
     */
    private void relayUpstreamError(UpstreamAttempts.Refusal refusal) throws IOException {
        byte[] body = refusal.body();
        int status = refusal.status();
        OpenAiError shaped = OpenAiError.fromUpstreamBody(status, body);
        shaped = shaped == null ? null : scrubber.error(shaped);
        if (status >= 400 && status < 500 && shaped != null) {
            byte[] clean = scrubber.upstreamErrorBody(body);
            String retryAfter = scrubber.upstreamText(refusal.headers().get("retry-after"));
            if (status == 429 && retryAfter != null) {
                response.header("retry-after", retryAfter);
            }
            log.status(status);
            log.error(shaped.code() != null ? shaped.code() : shaped.type());
            response.status(status).header("content-type", "application/json");
            send(clean);
            return;
        }
        String name = refusal.route().name();
        String detail = shaped != null ? ": " + shaped.message() : "";
        if (status >= 400 && status < 500) {
            reply(new OpenAiError(status, "The upstream of route '" + name
                    + "' answered " + status + detail, OpenAiError.INVALID_REQUEST, null, "upstream_error"));
        } else {
            reply(OpenAiError.upstreamUnavailable("The upstream of route '" + name
                    + "' answered " + status + detail));
        }
    }

    /** An error reply once keys are resolved: its text may quote an upstream or an exception about one. */
    private void reply(OpenAiError error) throws IOException {
        ErrorReply.send(response, log, scrubber.error(error));
    }

    /** Everything written to the caller goes out through here, scrubbed of the upstream keys. */
    private void send(byte[] bytes) throws CallerGoneException, ResponseScrubber.OutOfTime {
        byte[] clean = scrubber.answer(bytes);
        OutputStream out = response.body();
        try {
            out.write(clean);
            out.flush();
        } catch (IOException e) {
            throw new CallerGoneException(e);
        }
        log.sent(clean.length);
    }
}
