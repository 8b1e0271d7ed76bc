package io.llmrelay.metrics;

import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * How one request went, as the metrics see it: everything here is either a count, a time, or a
 * name that {@link DimensionValues} bounds before it is written. There is no field for a key,
 * a message or anything else the caller sent.
 *
 * @param requestId the invocation's request id (joins the metrics line to the request log line);
 *     null leaves it out
 * @param route the route chosen, as configured; null when the request was refused before routing
 * @param model the model name the caller asked for, as given (bounded when written); null if none
 * @param caller the authenticated caller's configured name; null when none (auth off, refused)
 * @param status the HTTP status the caller got
 * @param errorCode the error the request ended with (the request log's {@code error}), null when
 *     it succeeded; in a stream that had begun, the code of the error event
 * @param timeToFirstByteMs from arrival to the first byte sent to the caller; empty when none was sent
 * @param durationMs from arrival to the end of the response
 * @param promptTokens as the upstream reported them; empty when it did not (never estimated)
 * @param completionTokens as the upstream reported them; empty when it did not (never estimated)
 * @param retries upstream attempts beyond the first one on each route tried
 * @param fallbacks fallback routes tried
 */
public record RequestOutcome(
        String requestId,
        String route,
        String model,
        String caller,
        int status,
        String errorCode,
        OptionalDouble timeToFirstByteMs,
        double durationMs,
        OptionalLong promptTokens,
        OptionalLong completionTokens,
        int retries,
        int fallbacks) {

    public RequestOutcome {
        timeToFirstByteMs = timeToFirstByteMs == null ? OptionalDouble.empty() : timeToFirstByteMs;
        promptTokens = promptTokens == null ? OptionalLong.empty() : promptTokens;
        completionTokens = completionTokens == null ? OptionalLong.empty() : completionTokens;
    }

    /** Whether the request counts in {@code Errors}: it failed, and not because the caller left. */
    public boolean failed() {
        return (errorCode != null && !ErrorCodes.CALLER_DISCONNECTED.equals(errorCode))
                || (errorCode == null && status >= 400);
    }
}
