package io.llmrelay.relay.attempt;

import io.llmrelay.config.RouteConfig;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.relay.watch.WatchedChunks;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.UpstreamResponse;
import java.util.Map;

/** What a request's attempts came to, all of it before anything went to the caller. */
public sealed interface Outcome {

    /** A 2xx stream whose first item has arrived; the rest is still to be read. */
    record Stream(RouteConfig route, WatchedChunks chunks, StreamItem first) implements Outcome {}

    /** A 2xx non-streaming answer, body still to be read. */
    record Whole(RouteConfig route, UpstreamResponse answer) implements Outcome {}

    /**
     * The upstream's refusal (a non-2xx), read whole: relayed as the error contract says.
     *
     * @param translated a translating upstream's error-table answer ({@code UpstreamAnswer.Refusal#translated})
     */
    record Refusal(RouteConfig route, int status, Map<String, String> headers, byte[] body, boolean translated)
            implements Outcome {}

    /** No usable answer: the relay's own error. */
    record Failure(OpenAiError error) implements Outcome {}
}
