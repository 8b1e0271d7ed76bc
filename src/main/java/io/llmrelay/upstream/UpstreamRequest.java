package io.llmrelay.upstream;

import io.llmrelay.trace.TraceContext;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * One chat completion call to make upstream.
 *
 * @param baseUrl          the API base, e.g. {@code https://api.openai.com/v1}; {@code /chat/completions} is appended
 * @param apiKey           sent as {@code Authorization: Bearer}; null or blank sends no Authorization
 *                         (local servers, or providers that take the key in an extra header)
 * @param extraHeaders     further request headers (organisation, project, provider-specific); they win
 *                         over the defaults
 * @param body             the JSON body, already rewritten for the upstream
 * @param stream           whether the body asks for an SSE stream (chooses the Accept header)
 * @param firstByteTimeout the longest wait for the response head; the body itself is not bounded by it
 * @param requestId        the relay's id for this call, for tracing; may be null
 * @param model            the model the request is for (the route's upstreamModel, else the caller's):
 *                         a streamed chunk that names none is given it; may be null
 * @param callerModel      the model name as the caller asked for it (the route's model when the caller
 *                         named none): every chunk and {@code chat.completion} a translating upstream
 *                         (Anthropic, Bedrock) writes carries it, whatever name went upstream; may be null
 * @param trace            the trace the call belongs to, sent as {@code traceparent} (and in each
 *                         provider's own form); null sends no trace header
 * @param hideUsageChunk   the body asks for usage ({@code stream_options.include_usage}) for the
 *                         relay's own account, the caller did not: a chunk that only reports usage is
 *                         read, not passed on
 */
public record UpstreamRequest(
        URI baseUrl,
        String apiKey,
        Map<String, String> extraHeaders,
        byte[] body,
        boolean stream,
        Duration firstByteTimeout,
        String requestId,
        String model,
        String callerModel,
        TraceContext trace,
        boolean hideUsageChunk) {

    public UpstreamRequest {
        Objects.requireNonNull(baseUrl, "baseUrl");
        Objects.requireNonNull(body, "body");
        Objects.requireNonNull(firstByteTimeout, "firstByteTimeout");
        if (firstByteTimeout.isNegative() || firstByteTimeout.isZero()) {
            throw new IllegalArgumentException("firstByteTimeout must be positive, was " + firstByteTimeout);
        }
        extraHeaders = extraHeaders == null ? Map.of() : Map.copyOf(extraHeaders);
    }

    /** A request without a trace that passes every chunk on, whose caller asked for the model it is for. */
    public UpstreamRequest(URI baseUrl, String apiKey, Map<String, String> extraHeaders, byte[] body, boolean stream,
            Duration firstByteTimeout, String requestId, String model) {
        this(baseUrl, apiKey, extraHeaders, body, stream, firstByteTimeout, requestId, model, model, null, false);
    }

    /** A request without a trace that passes every chunk on. */
    public UpstreamRequest(URI baseUrl, String apiKey, Map<String, String> extraHeaders, byte[] body, boolean stream,
            Duration firstByteTimeout, String requestId, String model, String callerModel) {
        this(baseUrl, apiKey, extraHeaders, body, stream, firstByteTimeout, requestId, model, callerModel, null, false);
    }

    /** A request that names no model for chunks that lack one. */
    public UpstreamRequest(URI baseUrl, String apiKey, Map<String, String> extraHeaders, byte[] body, boolean stream,
            Duration firstByteTimeout, String requestId) {
        this(baseUrl, apiKey, extraHeaders, body, stream, firstByteTimeout, requestId, null, null, null, false);
    }

    /** Never prints the key: records print every component, and requests end up in logs. */
    @Override
    public String toString() {
        return "UpstreamRequest[baseUrl=" + baseUrl
                + ", apiKey=" + (apiKey == null || apiKey.isBlank() ? "none" : "***")
                + ", extraHeaders=" + extraHeaders.keySet()
                + ", body=" + body.length + " bytes"
                + ", stream=" + stream
                + ", firstByteTimeout=" + firstByteTimeout
                + ", requestId=" + requestId
                + ", model=" + model
                + ", callerModel=" + callerModel
                + ", trace=" + (trace == null ? "none" : trace.traceparent())
                + ", hideUsageChunk=" + hideUsageChunk + "]";
    }
}
