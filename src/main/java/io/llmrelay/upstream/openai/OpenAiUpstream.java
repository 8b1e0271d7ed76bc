package io.llmrelay.upstream.openai;

import io.llmrelay.upstream.Upstream;
import io.llmrelay.upstream.UpstreamAnswer;
import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;

/**
 * An OpenAI-compatible upstream: the answer is already in the caller's wire format, so it passes
 * through. A refusal and a whole answer go to the relay as the HTTP response they are; a stream is
 * read event by event ({@link OpenAiChunks}), each complete chunk byte for byte.
 */
public final class OpenAiUpstream implements Upstream {
    private final ChatCompletionsEndpoint endpoint;

    public OpenAiUpstream(ChatCompletionsEndpoint endpoint) {
        this.endpoint = endpoint;
    }

    /**
     * A 2xx answer to a streaming request is read as a stream unless it is JSON: a whole body
     * (a {@code chat.completion}, or an error in a 2xx) where events were asked for, which the
     * relay refuses to pass off as a stream.
     */
    @Override
    public UpstreamAnswer open(UpstreamRequest request) throws UpstreamException {
        UpstreamResponse answer = endpoint.send(request);
        if (!answer.isSuccess()) {
            return new UpstreamAnswer.Refusal(answer);
        }
        if (!request.stream() || answer.jsonMediaType() != null) {
            return new UpstreamAnswer.Whole(answer);
        }
        return new UpstreamAnswer.Stream(answer.status(),
                new OpenAiChunks(answer, request.requestId(), request.model(), request.hideUsageChunk()),
                answer.requestId());
    }
}
