package io.llmrelay.metrics;

/**
 * The metrics the relay publishes, one data point each per request, as a table: name in
 * CloudWatch, unit, and when the request's line carries it. Units are CloudWatch's names
 * (MetricDatum's {@code StandardUnit}), which the EMF specification's {@code Unit} takes:
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
public enum RelayMetric {
    /** Always 1: every request, refused ones included. */
    REQUESTS("Requests", "Count"),
    /** Only when a first byte went to the caller. */
    TIME_TO_FIRST_BYTE("TimeToFirstByte", "Milliseconds"),
    /** Always: from the request's arrival until its response ended. */
    DURATION("Duration", "Milliseconds"),
    /** Only when the upstream reported usage; never estimated. */
    PROMPT_TOKENS("PromptTokens", "Count"),
    /** Only when the upstream reported usage; never estimated. */
    COMPLETION_TOKENS("CompletionTokens", "Count"),
    /** Always: 1 for a failed request, else 0, so that Sum(Errors)/Sum(Requests) is the error rate. */
    ERRORS("Errors", "Count"),
    /** Always: upstream attempts beyond the first one on each route tried. */
    RETRIES("Retries", "Count"),
    /** Always: fallback routes tried. */
    FALLBACKS("Fallbacks", "Count");

    private final String metricName;
    private final String unit;

    RelayMetric(String metricName, String unit) {
        this.metricName = metricName;
        this.unit = unit;
    }

    /** The name in CloudWatch, and the line's member that holds the value. */
    public String metricName() {
        return metricName;
    }

    public String unit() {
        return unit;
    }
}
