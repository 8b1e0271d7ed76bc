package io.llmrelay.metrics;

import java.util.EnumMap;
import java.util.Map;

/**
 * The data points of one request, by metric. A value that is absent (no first byte, usage not
 * reported) or that no metric could hold (negative, NaN, infinite: JSON has no NaN, and a count
 * below zero is a bug upstream of here) is left out, never replaced by a guess.
 */
final class MetricValues {
    private MetricValues() {}

    static Map<RelayMetric, Number> of(RequestOutcome outcome) {
        Map<RelayMetric, Number> values = new EnumMap<>(RelayMetric.class);
        values.put(RelayMetric.REQUESTS, 1);
        outcome.timeToFirstByteMs().ifPresent(ms -> putTime(values, RelayMetric.TIME_TO_FIRST_BYTE, ms));
        putTime(values, RelayMetric.DURATION, outcome.durationMs());
        outcome.promptTokens().ifPresent(n -> putCount(values, RelayMetric.PROMPT_TOKENS, n));
        outcome.completionTokens().ifPresent(n -> putCount(values, RelayMetric.COMPLETION_TOKENS, n));
        values.put(RelayMetric.ERRORS, outcome.failed() ? 1 : 0);
        putCount(values, RelayMetric.RETRIES, outcome.retries());
        putCount(values, RelayMetric.FALLBACKS, outcome.fallbacks());
        return values;
    }

    private static void putTime(Map<RelayMetric, Number> values, RelayMetric metric, double ms) {
        if (Double.isFinite(ms) && ms >= 0) {
            values.put(metric, ms);
        }
    }

    private static void putCount(Map<RelayMetric, Number> values, RelayMetric metric, long count) {
        if (count >= 0) {
            values.put(metric, count);
        }
    }
}
