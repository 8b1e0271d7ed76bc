package io.llmrelay.relay;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.ChatCompletionRequest;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.relay.out.CallerOutput;
import io.llmrelay.relay.out.ChunkWriter;
import io.llmrelay.relay.out.ErrorContract;
import io.llmrelay.relay.out.ResponsesChunkWriter;
import io.llmrelay.relay.stream.WholeRelay;
import io.llmrelay.relay.watch.Deadline;
import io.llmrelay.responses.ResponseContext;
import io.llmrelay.responses.ResponsesRequest;
import io.llmrelay.upstream.UpstreamResponse;
import java.io.IOException;
import java.util.Objects;

/**
 * {@code POST .../responses}, OpenAI's Responses API: the request translated into a chat request
 * ({@link ResponsesRequest}, which refuses what needs stored state with a 400 naming the
 * parameter), the answer translated back into Responses events or a Response object. One per
 * request: it keeps what the answer repeats of the request ({@link ResponseContext}).
 */
final class ResponsesApi implements CallerApi {
    private final String requestId;
    private ResponseContext context;

    /** @param requestId the invocation's id: the response's ids are derived from it */
    ResponsesApi(String requestId) {
        this.requestId = requestId;
    }

    @Override
    public ChatCompletionRequest read(byte[] body) throws InvalidRequestException {
        ResponsesRequest responses = ResponsesRequest.parse(body);
        context = ResponseContext.of(responses, requestId, System.currentTimeMillis() / 1000);
        // The translation is a valid chat request by construction; parsing it again gives the chat
        // path the very object it works with, so nothing downstream knows which API the caller spoke.
        return ChatCompletionRequest.parse(responses.chatRequestBytes());
    }

    @Override
    public ChunkWriter streamWriter(CallerOutput out) {
        return new ResponsesChunkWriter(out, context());
    }

    @Override
    public void whole(RouteConfig route, UpstreamResponse answer, Deadline deadline, CallerOutput out,
            ErrorContract errors, long deadlineMarginMs) throws IOException {
        WholeRelay.relayAsResponse(route, answer, deadline, out, errors, deadlineMarginMs, context());
    }

    private ResponseContext context() {
        return Objects.requireNonNull(context, "the request is read before its answer is written");
    }
}
