package io.llmrelay.upstream.bedrock;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.ProviderError;
import io.llmrelay.upstream.translation.StreamFailure;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;

/**
 * Bedrock errors to what the caller gets, one table for both places they appear: an HTTP error
 * (its type in the {@code x-amzn-ErrorType} header or the body's {@code __type}/{@code code},
 * message in {@code message}: the restJson1 protocol,
 * https://smithy.io/2.0/aws/protocols/aws-restjson1-protocol.html#operation-error-serialization;
 * types: https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html#API_runtime_ConverseStream_Errors)
 * and an exception message inside the stream (:exception-type throttlingException ..., the same
 * names starting lower-case). Matching ignores case.
 *
 * <pre>
 * Bedrock                               -> status  code                            retryable
 * ValidationException                      400     (null, as OpenAI's own 400s)    no
 * AccessDeniedException                    403     upstream_permission_denied      no
 * UnrecognizedClientException,
 *   InvalidSignatureException,
 *   ExpiredTokenException                  401     upstream_authentication_failed  no
 * ResourceNotFoundException                404     model_not_found                 no
 * ThrottlingException                      429     rate_limit_exceeded             yes
 * ServiceUnavailableException              503     upstream_unavailable            yes
 * ModelNotReadyException                   503     upstream_unavailable            yes
 * InternalServerException                  502     upstream_unavailable            yes
 * ModelTimeoutException                    504     upstream_timeout                yes
 * ModelStreamErrorException,
 *   ModelErrorException                    502     upstream_error                  no
 * anything else                            502     upstream_error                  no
 * </pre>
 *
 * Before the first byte the relay retries 429 and 5xx (within the route's retries), then answers
 * with the row's status and body, except that a 5xx other than 503 becomes a 502 under the error
 * contract ({@code ErrorContract.relayRefusal}); after it, the row is the stream's error event.
 */
public final class BedrockErrors {
    private static final Map<String, ProviderError> BY_TYPE = Map.ofEntries(
            Map.entry("validationexception", ProviderError.of(400, null, false, "the request was refused")),
            Map.entry("accessdeniedexception", ProviderError.of(403, "upstream_permission_denied", false,
                    "the function's role may not invoke this model (grant bedrock:InvokeModel and"
                            + " bedrock:InvokeModelWithResponseStream on it, e.g. with BedrockModelArns)")),
            Map.entry("unrecognizedclientexception", signature()),
            Map.entry("invalidsignatureexception", signature()),
            Map.entry("expiredtokenexception", signature()),
            Map.entry("resourcenotfoundexception", ProviderError.of(404, "model_not_found", false,
                    "no such model or inference profile in the route's region")),
            Map.entry("throttlingexception", ProviderError.of(429, "rate_limit_exceeded", true, "throttled")),
            Map.entry("serviceunavailableexception", ProviderError.of(503, "upstream_unavailable", true,
                    "temporarily unavailable")),
            Map.entry("modelnotreadyexception", ProviderError.of(503, "upstream_unavailable", true,
                    "the model is not ready yet")),
            Map.entry("internalserverexception", ProviderError.of(502, "upstream_unavailable", true, "an internal error")),
            Map.entry("modeltimeoutexception", ProviderError.of(504, "upstream_timeout", true, "the model timed out")),
            Map.entry("modelstreamerrorexception", ProviderError.of(502, "upstream_error", false,
                    "the model's stream failed")),
            Map.entry("modelerrorexception", ProviderError.of(502, "upstream_error", false, "the model failed")));
    private static final ProviderError OTHER = ProviderError.of(502, "upstream_error", false, "an unexpected error");

    private BedrockErrors() {}

    private static ProviderError signature() {
        return ProviderError.of(401, "upstream_authentication_failed", false,
                "the function's AWS credentials were not accepted");
    }

    /**
     * @param status the HTTP status, or 0 for an exception inside a 200 stream
     * @param type   the error's type as Bedrock names it, or null
     */
    public static StreamFailure failure(int status, String type, String message, String route) {
        ProviderError row = type == null ? null : BY_TYPE.get(type.toLowerCase(Locale.ROOT));
        if (row == null && status == 429) {
            row = BY_TYPE.get("throttlingexception");
        } else if (row == null && status == 503) {
            row = BY_TYPE.get("serviceunavailableexception");
        }
        return (row != null ? row : OTHER).failure(BedrockStreamTranslator.PROVIDER, route,
                type != null ? type : "HTTP " + status, message);
    }

    /** An error response: its status, {@code x-amzn-ErrorType} header (may be null) and body. */
    public static StreamFailure fromResponse(int status, String errorTypeHeader, byte[] body, String route) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            root = null;
        }
        String type = sanitize(errorTypeHeader);
        if (type == null && root != null) {
            type = sanitize(root.path("__type").asText(root.path("code").asText(null)));
        }
        String message = null;
        if (root != null) {
            message = root.path("message").asText(root.path("Message").asText(null));
        }
        return failure(status, type, message, route);
    }

    /** restJson1: the type is what comes before a ':' and after a '#' ("ns#ThrottlingException:http://..."). */
    static String sanitize(String code) {
        if (code == null || code.isBlank()) {
            return null;
        }
        int colon = code.indexOf(':');
        String type = colon >= 0 ? code.substring(0, colon) : code;
        int hash = type.indexOf('#');
        return (hash >= 0 ? type.substring(hash + 1) : type).strip();
    }
}
