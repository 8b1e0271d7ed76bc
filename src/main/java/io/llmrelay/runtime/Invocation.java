package io.llmrelay.runtime;

/**
 * One invocation as {@code GET /runtime/invocation/next} delivered it: the event bytes and the
 * headers that describe it. Optional headers are {@code null} when Lambda did not send them.
 */
public record Invocation(
        String requestId,
        long deadlineEpochMs,
        String invokedFunctionArn,
        String traceId,
        String clientContextJson,
        String cognitoIdentityJson,
        String tenantId,
        String invocationId,
        byte[] event) {
}
