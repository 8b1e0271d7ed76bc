package io.llmrelay.upstream;

/** Somewhere chat completions come from: an OpenAI-compatible HTTP API, or the offline demo. */
public interface Upstream {

    /**
     * Sends one request and returns once the response head is in; the body is then read (and
     * the response closed) by the caller. Any HTTP status is a response, not an exception.
     *
     * @throws UpstreamException when no response head arrived (unreachable, or too slow)
     */
    UpstreamResponse send(UpstreamRequest request) throws UpstreamException;
}
