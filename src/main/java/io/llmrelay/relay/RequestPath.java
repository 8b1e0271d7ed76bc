package io.llmrelay.relay;

/**
 * Which endpoint a request path names. Platforms append the OpenAI paths to whatever base URL
 * the user pasted ({@code /chat/completions}, {@code /v1/chat/completions},
 * {@code /some/prefix/chat/completions}), so only the ending counts.
 *
 * <pre>
 * path ends in         endpoint            method
 * /chat/completions    CHAT_COMPLETIONS    POST
 * /responses           RESPONSES           POST
 * /models              MODELS              GET
 * anything else        UNKNOWN (404)
 * </pre>
 */
enum RequestPath {
    CHAT_COMPLETIONS("POST"), RESPONSES("POST"), MODELS("GET"), UNKNOWN(null);

    private final String method;

    RequestPath(String method) {
        this.method = method;
    }

    /** The one method the endpoint serves; any other is a 405 naming it in {@code allow}. */
    String method() {
        return method;
    }

    static RequestPath of(String rawPath) {
        String path = rawPath;
        while (path.length() > 1 && path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/chat/completions")) {
            return CHAT_COMPLETIONS;
        }
        if (path.endsWith("/responses")) {
            return RESPONSES;
        }
        if (path.endsWith("/models")) {
            return MODELS;
        }
        return UNKNOWN;
    }
}
