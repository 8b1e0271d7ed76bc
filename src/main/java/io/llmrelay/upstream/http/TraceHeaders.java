package io.llmrelay.upstream.http;

import io.llmrelay.trace.TraceContext;
import io.llmrelay.upstream.UpstreamRequest;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The headers that join an upstream call to the relay's request log and to the caller's trace,
 * the same for every HTTP upstream:
 *
 * <pre>
 * header            value                                              sent to
 * x-request-id      the invocation's request id (the log line's)       every upstream
 * traceparent       the request's W3C trace context (TraceContext)     every upstream
 * x-amzn-trace-id   the same trace in X-Ray's form                     Bedrock (AWS services read it)
 * </pre>
 *
 * Every value is the relay's own (an AWS request id, hex ids it checked or made), never a caller's
 * text, so none can smuggle a line break or another header in. A header the route's
 * {@code headers} set itself is the route's: it wins over these.
 */
public final class TraceHeaders {
    public static final String REQUEST_ID = "x-request-id";
    public static final String TRACEPARENT = "traceparent";
    /** https://docs.aws.amazon.com/xray/latest/devguide/xray-concepts.html#xray-concepts-tracingheader */
    public static final String AMZN_TRACE_ID = "x-amzn-trace-id";

    private TraceHeaders() {}

    /** {@code x-request-id} (when the id is a safe header value) and {@code traceparent} (when the request has a trace). */
    public static Map<String, String> of(UpstreamRequest request) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (JdkHttp.isSafeHeaderValue(request.requestId())) {
            headers.put(REQUEST_ID, request.requestId());
        }
        TraceContext trace = request.trace();
        if (trace != null) {
            headers.put(TRACEPARENT, trace.traceparent());
        }
        return headers;
    }

    /** As {@link #of}, plus the trace as AWS's {@code x-amzn-trace-id}. */
    public static Map<String, String> forAws(UpstreamRequest request) {
        Map<String, String> headers = of(request);
        if (request.trace() != null) {
            headers.put(AMZN_TRACE_ID, request.trace().xrayHeader());
        }
        return headers;
    }

    /** {@code routeHeaders} and, after them, each of {@code trace} whose name (in any case) the route does not set. */
    public static Map<String, String> under(Map<String, String> routeHeaders, Map<String, String> trace) {
        Map<String, String> merged = new LinkedHashMap<>(routeHeaders);
        trace.forEach((name, value) -> {
            if (routeHeaders.keySet().stream().noneMatch(name::equalsIgnoreCase)) {
                merged.put(name, value);
            }
        });
        return merged;
    }
}
