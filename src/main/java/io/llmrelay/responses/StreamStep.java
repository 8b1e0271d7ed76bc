package io.llmrelay.responses;

import io.llmrelay.openai.OpenAiError;

/** What one upstream SSE {@code data} payload did to a {@link ResponsesStream}. */
public sealed interface StreamStep {
    /** A chat chunk: its events were written; read the next payload. */
    record Continue() implements StreamStep {}

    /** The upstream's {@code [DONE]}: the closing events were written; the stream is over. */
    record Finished() implements StreamStep {}

    /**
     * The payload is an upstream error ({@code {"error":...}}) or not one JSON object. Nothing was
     * written: the relay scrubs the error and answers it as an HTTP error when
     * {@link ResponsesStream#started()} is false, else hands it to {@link ResponsesStream#fail}.
     */
    record UpstreamFailed(OpenAiError error) implements StreamStep {}

    StreamStep CONTINUE = new Continue();
    StreamStep FINISHED = new Finished();
}
