package io.llmrelay.upstream.translation;

import io.llmrelay.openai.OpenAiError;

/**
 * One row of a provider's error table (AnthropicErrors, BedrockErrors): what the caller gets for
 * one kind of provider error. Retryable rows carry 429 or 503 semantics: the provider was busy,
 * not wrong about the request, so the relay may try again before the first byte.
 *
 * @param status    the HTTP status the caller gets
 * @param type      the OpenAI error {@code type}
 * @param code      the OpenAI error {@code code}; null keeps OpenAI's own null for plain bad requests
 * @param retryable whether the same request may succeed when sent again (the provider was busy or
 *                  briefly failing); the relay itself retries by status (429 and 5xx, before the
 *                  first byte), which takes in every retryable row and, harmlessly, a few others
 * @param meaning   what it means for the relay's operator, said in the message ("the route's API key
 *                  was rejected"); never a key
 */
public record ProviderError(int status, String type, String code, boolean retryable, String meaning) {

    public static ProviderError of(int status, String code, boolean retryable, String meaning) {
        String type = status < 500 ? OpenAiError.INVALID_REQUEST : OpenAiError.API_ERROR;
        return new ProviderError(status, type, code, retryable, meaning);
    }

    /**
     * @param provider        "Anthropic" or "Bedrock"
     * @param route           the route's name, so the operator knows which configuration to look at
     * @param providerType    the provider's own name for the error (overloaded_error, ThrottlingException)
     * @param providerMessage the provider's message, or null; never contains a key (the relay scrubs
     *                        known keys from whatever it relays all the same)
     */
    public StreamFailure failure(String provider, String route, String providerType, String providerMessage) {
        String message = provider + " answered " + providerType + " for route '" + route + "': " + meaning
                + (providerMessage == null || providerMessage.isBlank() ? "." : ": " + providerMessage);
        return new StreamFailure(new OpenAiError(status, message, type, null, code), retryable);
    }
}
