package io.llmrelay.responses;

import io.llmrelay.openai.OpenAiError;

/** The upstream's non-streaming answer is not a chat completion; {@link #error()} is the 502 to send. */
public final class UnreadableAnswerException extends Exception {
    private final transient OpenAiError error;

    UnreadableAnswerException(String message) {
        super(message);
        this.error = OpenAiError.upstreamInvalidResponse(message);
    }

    public OpenAiError error() {
        return error;
    }
}
