package io.llmrelay.relay.stream;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.openai.Usage;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.relay.watch.ReadFailure;
import io.llmrelay.relay.watch.WholeBody;
import io.llmrelay.responses.ResponseContext;
import io.llmrelay.responses.ResponsesAnswer;
import io.llmrelay.responses.UnreadableAnswerException;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;

/**
 * A non-streaming answer: the upstream's {@code chat.completion} read whole (bounded), then passed
 * on as it came ({@link #relay}) or as a Response object ({@link #relayAsResponse}); its
 * {@code usage} read for the request log afterwards.
 */
public final class WholeRelay {
    /** Non-streaming answers are read whole; bounded all the same. */
    private static final int MAX_WHOLE_BODY_BYTES = 32 * 1024 * 1024;

    private WholeRelay() {}

    /** {@code POST .../chat/completions}: the body and its content type as the upstream sent them. */
    public static void relay(RouteConfig route, UpstreamResponse answer, Deadline deadline, CallerOutput out,
            ErrorContract errors, long deadlineMarginMs) throws IOException {
        byte[] body = read(route, answer, deadline, errors, deadlineMarginMs);
        if (body == null) {
            return;
        }
        String type = out.scrubber().text(answer.header("content-type"));
        send(out, type != null ? type : "application/json", body, body);
    }

    /**
     * {@code POST .../responses}: the chat completion translated into a Response object
     * ({@link ResponsesAnswer}). An upstream that answered 2xx with an OpenAI error body, or with
     * anything that is not a chat completion, is the upstream failing: 502, in its words when it
     * gave any (scrubbed).
     */
    public static void relayAsResponse(RouteConfig route, UpstreamResponse answer, Deadline deadline, CallerOutput out,
            ErrorContract errors, long deadlineMarginMs, ResponseContext context) throws IOException {
        byte[] body = read(route, answer, deadline, errors, deadlineMarginMs);
        if (body == null) {
            return;
        }
        OpenAiError upstreamError = OpenAiError.fromUpstreamBody(502, body);
        if (upstreamError != null) {
            errors.reply(upstreamError);
            return;
        }
        byte[] response;
        try {
            response = ResponsesAnswer.translate(body, context, System.currentTimeMillis() / 1000);
        } catch (UnreadableAnswerException e) {
            errors.replyOwn(e.error());
            return;
        }
        send(out, "application/json", response, body);
    }

    /** The whole body, or null once the caller has been told why there is none. */
    private static byte[] read(RouteConfig route, UpstreamResponse answer, Deadline deadline, ErrorContract errors,
            long deadlineMarginMs) throws IOException {
        try {
            return WholeBody.readComplete(answer, MAX_WHOLE_BODY_BYTES, route.idleTimeoutMs(), deadline);
        } catch (WholeBody.TooLarge e) {
            errors.replyOwn(ErrorContract.tooLarge(e.getMessage()));
        } catch (ReadFailure e) {
            errors.reply(ErrorContract.readFailure(e, ErrorContract.Phase.WHOLE, route.name(), route.idleTimeoutMs(),
                    deadlineMarginMs));
        }
        return null;
    }

    /** @param completion the upstream's chat completion, whose {@code usage} the request log reports */
    private static void send(CallerOutput out, String contentType, byte[] body, byte[] completion) throws IOException {
        out.log().status(200);
        out.response().status(200).header("content-type", contentType);
        out.send(body);
        out.log().usage(Usage.in(completion)); // read once the caller has the body, so it costs the caller no time
    }
}
