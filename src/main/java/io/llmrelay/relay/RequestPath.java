package io.llmrelay.relay;

/**
 * Which endpoint a request path names. Platforms append the OpenAI paths to whatever base URL
 * the user pasted ({@code /chat/completions}, {@code /v1/chat/completions},
 * {@code /some/prefix/chat/completions}), so only the ending counts.
 */
enum RequestPath {
    CHAT_COMPLETIONS, MODELS, UNKNOWN;

    static RequestPath of(String rawPath) {
        String path = rawPath;
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/chat/completions")) {
            return CHAT_COMPLETIONS;
        }
        if (path.endsWith("/models")) {
            return MODELS;
        }
        return UNKNOWN;
    }
}
