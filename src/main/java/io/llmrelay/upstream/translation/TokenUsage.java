package io.llmrelay.upstream.translation;

/**
 * Token counts as OpenAI reports them. {@code promptTokens} includes tokens read from or written
 * to a provider's prompt cache, as OpenAI's {@code prompt_tokens} includes cached tokens.
 */
public record TokenUsage(long promptTokens, long completionTokens) {
    public static final TokenUsage NONE = new TokenUsage(0, 0);

    public long totalTokens() {
        return promptTokens + completionTokens;
    }
}
