package io.llmrelay.upstream.openai;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;

/**
 * An OpenAI-compatible {@code POST /chat/completions} as HTTP: the API itself over the network
 * ({@link OpenAiClient}), or the offline demo model in process ({@code upstream.demo.DemoModel}),
 * whose answers {@link OpenAiUpstream} then reads on exactly the same path.
 */
@FunctionalInterface
public interface ChatCompletionsEndpoint {

    /**
     * Sends one request and returns once the response head is in; the body is then read (and
     * the response closed) by the caller. Any HTTP status is a response, not an exception.
     *
     * @throws UpstreamException when no response head arrived (unreachable, or too slow)
     */
    UpstreamResponse send(UpstreamRequest request) throws UpstreamException;
}
