package io.llmrelay.upstream.translation;

import io.llmrelay.openai.OpenAiError;

/**
 * A provider said something that ends the answer: an error event or exception frame, an event
 * that is not what its API reference says, a stream cut short, tool input that is not JSON. The
 * relay answers with {@link #error()}: as the HTTP status and body before the first byte went to
 * the caller, as one error event and {@code [DONE]} after.
 *
 * @see ProviderErrors
 */
public final class StreamFailure extends Exception {
    private final transient OpenAiError error;
    private final boolean retryable;

    public StreamFailure(OpenAiError error, boolean retryable) {
        super(error.message());
        this.error = error;
        this.retryable = retryable;
    }

    /** The provider's output did not follow its own wire format: never worth the same request again. */
    public static StreamFailure invalid(String provider, String what) {
        return new StreamFailure(OpenAiError.upstreamInvalidResponse(provider + " sent " + what
                + "; the stream cannot be relayed further."), false);
    }

    /** The provider's stream ended before its last event: a connection cut short. */
    public static StreamFailure cut(String provider, String what) {
        return new StreamFailure(OpenAiError.upstreamUnavailable("The " + provider + " stream broke off " + what + "."),
                true);
    }

    public OpenAiError error() {
        return error;
    }

    /** Whether the same request may succeed if sent again (only ever tried before the first byte). */
    public boolean retryable() {
        return retryable;
    }
}
