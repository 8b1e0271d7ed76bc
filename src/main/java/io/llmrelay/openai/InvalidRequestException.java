package io.llmrelay.openai;

/** The caller's request is unusable; {@link #error()} is the 4xx answer to send back. */
public final class InvalidRequestException extends Exception {
    private final transient OpenAiError error;

    public InvalidRequestException(OpenAiError error) {
        super(error.message());
        this.error = error;
    }

    public OpenAiError error() {
        return error;
    }
}
