package io.llmrelay.metrics;

import java.util.List;

/**
 * The dimensions of every relay metric, and the dimension sets each request's line asks
 * CloudWatch to publish. Each set makes its own metric per distinct combination of values, so
 * every value is bounded (see {@link DimensionValues}).
 *
 * <p>One metric directive holds all sets: the EMF specification's {@code Dimensions} member is an
 * array of dimension sets, each at most 30 keys, and "a DimensionSet MAY be empty" (the empty set
 * publishes the metric without dimensions: the whole relay, which is what the template's alarms
 * watch, since route names live in the relay's configuration, not in the template).
 * https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Embedded_Metric_Format_Specification.html
 */
public final class MetricDimensions {
    public static final String ROUTE = "Route";
    public static final String MODEL = "Model";
    public static final String CALLER = "Caller";

    /** The whole relay (alarms, totals). */
    public static final List<String> RELAY = List.of();
    public static final List<String> ROUTE_MODEL = List.of(ROUTE, MODEL);
    public static final List<String> ROUTE_MODEL_CALLER = List.of(ROUTE, MODEL, CALLER);

    /** In the order the line lists them. */
    public static final List<List<String>> SETS = List.of(RELAY, ROUTE_MODEL, ROUTE_MODEL_CALLER);

    private MetricDimensions() {}
}
