package io.llmrelay.upstream.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.ProviderError;
import io.llmrelay.upstream.translation.StreamFailure;
import java.io.IOException;
import java.util.Map;

/**
 * Anthropic errors (https://docs.anthropic.com/en/api/errors): the HTTP status and the body's
 * {@code {"type":"error","error":{"type","message"}}}, or an {@code error} event inside a stream,
 * to what the caller gets. One table; the error type decides, the status only when the type is
 * missing or new.
 *
 * <pre>
 * Anthropic                   status  -> status  code                            retryable
 * invalid_request_error       400        400     (null, as OpenAI's own 400s)    no
 * authentication_error        401        401     upstream_authentication_failed  no
 * permission_error            403        403     upstream_permission_denied      no
 * not_found_error             404        404     model_not_found                 no
 * request_too_large           413        413     request_too_large               no
 * rate_limit_error            429        429     rate_limit_exceeded             yes
 * api_error                   500        502     upstream_unavailable            yes
 * overloaded_error            529        503     upstream_overloaded             yes
 * anything else               any        502     upstream_error                  no
 * </pre>
 *
 * Before the first byte the relay retries 429 and 5xx (within the route's retries), then answers
 * with the row's status and body, except that a 5xx other than 503 becomes a 502 under the error
 * contract ({@code ErrorContract.relayRefusal}); after it, the row is the stream's error event.
 */
public final class AnthropicErrors {
    private static final Map<String, ProviderError> BY_TYPE = Map.of(
            "invalid_request_error", ProviderError.of(400, null, false, "the request was refused"),
            "authentication_error", ProviderError.of(401, "upstream_authentication_failed", false,
                    "the route's API key was rejected (check its apiKey)"),
            "permission_error", ProviderError.of(403, "upstream_permission_denied", false,
                    "the route's API key may not use this model or feature"),
            "not_found_error", ProviderError.of(404, "model_not_found", false, "no such model or resource"),
            "request_too_large", ProviderError.of(413, "request_too_large", false, "the request is too large"),
            "rate_limit_error", ProviderError.of(429, "rate_limit_exceeded", true, "rate limited"),
            "api_error", ProviderError.of(502, "upstream_unavailable", true, "an internal error"),
            "overloaded_error", ProviderError.of(503, "upstream_overloaded", true, "temporarily overloaded"));
    private static final Map<Integer, String> TYPE_BY_STATUS = Map.of(
            400, "invalid_request_error", 401, "authentication_error", 403, "permission_error",
            404, "not_found_error", 413, "request_too_large", 429, "rate_limit_error", 500, "api_error",
            529, "overloaded_error");
    private static final ProviderError OTHER = ProviderError.of(502, "upstream_error", false, "an unexpected error");

    private AnthropicErrors() {}

    /**
     * @param status the HTTP status, or 0 for an error event inside a 200 stream
     * @param type   the body's {@code error.type}, or null
     */
    public static StreamFailure failure(int status, String type, String message, String route) {
        ProviderError row = type != null ? BY_TYPE.get(type) : null;
        String named = type;
        if (row == null && TYPE_BY_STATUS.containsKey(status)) {
            named = type != null ? type : TYPE_BY_STATUS.get(status);
            row = BY_TYPE.get(TYPE_BY_STATUS.get(status));
        }
        if (row == null) {
            row = OTHER;
            named = type != null ? type : "HTTP " + status;
        }
        return row.failure(AnthropicStreamTranslator.PROVIDER, route, named, message);
    }

    /** An error response: its status and body (read leniently: a proxy in between may answer HTML). */
    public static StreamFailure fromResponse(int status, byte[] body, String route) {
        JsonNode error;
        try {
            JsonNode root = Json.MAPPER.readTree(body);
            error = root == null ? null : root.get("error");
        } catch (IOException e) {
            error = null;
        }
        String type = error != null && error.path("type").isTextual() ? error.get("type").asText() : null;
        String message = error != null && error.path("message").isTextual() ? error.get("message").asText() : null;
        return failure(status, type, message, route);
    }
}
