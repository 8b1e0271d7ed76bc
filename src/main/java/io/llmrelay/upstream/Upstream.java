package io.llmrelay.upstream;

/**
 * Somewhere chat completions come from, as the relay sees it: a request in, OpenAI chunks out.
 * The peers are the OpenAI-compatible adapter ({@code upstream.openai}, which also serves the
 * offline demo model through the same decoder), Anthropic's Messages API
 * ({@code upstream.anthropic}) and Amazon Bedrock's Converse API ({@code upstream.bedrock}); each
 * speaks its provider's wire format and hands the relay the same {@link UpstreamAnswer}.
 */
public interface Upstream {

    /**
     * Sends one chat completion request and returns as soon as it is known what kind of answer
     * came: a refusal, a whole answer, or a stream whose chunks are read one at a time from it.
     * Any HTTP status is an answer, not an exception. The answer is the caller's to close.
     *
     * @throws UpstreamException when no answer came (unreachable, too slow, or not sendable)
     */
    UpstreamAnswer open(UpstreamRequest request) throws UpstreamException;
}
