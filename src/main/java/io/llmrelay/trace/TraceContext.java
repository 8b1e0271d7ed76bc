package io.llmrelay.trace;

import java.util.regex.Pattern;

/**
 * The trace one upstream call belongs to, as the W3C Trace Context {@code traceparent} header
 * carries it (https://www.w3.org/TR/trace-context/#traceparent-header, version {@code 00}):
 * {@code 00-<trace-id: 32 lowercase hex>-<parent-id: 16 lowercase hex>-<trace-flags: 2 hex>}, where
 * the parent-id is the id of the relay's own call as the upstream sees it, and the only flag
 * defined, {@code sampled}, is the lowest bit.
 *
 * <p>Every value is checked when the context is made, so {@link #traceparent()} and
 * {@link #xrayHeader()} can go into a request header as they are: lowercase hex and dashes only.
 *
 * @param traceId  32 lowercase hex digits, not all zero
 * @param parentId 16 lowercase hex digits, not all zero
 * @param sampled  the {@code sampled} flag: whoever started the trace may have recorded it
 */
public record TraceContext(String traceId, String parentId, boolean sampled) {
    private static final Pattern TRACE_ID = Pattern.compile("[0-9a-f]{32}");
    private static final Pattern PARENT_ID = Pattern.compile("[0-9a-f]{16}");

    public TraceContext {
        if (!validTraceId(traceId) || !validParentId(parentId)) {
            throw new IllegalArgumentException("not a W3C trace-id and parent-id: " + traceId + ", " + parentId);
        }
    }

    /** 32 lowercase hex digits, not all zero ("All bytes as zero ... is considered an invalid value"). */
    static boolean validTraceId(String id) {
        return id != null && TRACE_ID.matcher(id).matches() && !allZero(id);
    }

    /** 16 lowercase hex digits, not all zero. */
    static boolean validParentId(String id) {
        return id != null && PARENT_ID.matcher(id).matches() && !allZero(id);
    }

    private static boolean allZero(String hex) {
        for (int i = 0; i < hex.length(); i++) {
            if (hex.charAt(i) != '0') {
                return false;
            }
        }
        return true;
    }

    /** The {@code traceparent} value: version 00, the ids, flags {@code 01} when sampled else {@code 00}. */
    public String traceparent() {
        return "00-" + traceId + "-" + parentId + (sampled ? "-01" : "-00");
    }

    /**
     * The same trace as AWS X-Ray's tracing header ({@code X-Amzn-Trace-Id}), which AWS services
     * read: {@code Root=1-<first 8 hex of the trace-id>-<its other 24>;Parent=<parent-id>;Sampled=0|1}.
     * X-Ray's trace id is version 1, 8 hex digits of epoch seconds and 24 of a unique number
     * (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-elb.html, "X-Ray trace ID
     * format"), 128 bits in all: OpenTelemetry's X-Ray propagator maps a W3C trace-id to it by
     * splitting it at 8 hex digits (open-telemetry/opentelemetry-js-contrib, propagator-aws-xray,
     * README "Propagator Details"); {@link XRayTraceHeader} reads it back the same way.
     */
    public String xrayHeader() {
        return "Root=1-" + traceId.substring(0, 8) + "-" + traceId.substring(8) + ";Parent=" + parentId
                + ";Sampled=" + (sampled ? "1" : "0");
    }
}
