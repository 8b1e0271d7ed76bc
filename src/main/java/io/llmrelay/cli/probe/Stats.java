package io.llmrelay.cli.probe;

import java.util.Arrays;
import java.util.Collection;

/** Percentiles by nearest rank: the value at rank ceil(p/100 * n) of the sorted values, so always one of them. */
final class Stats {
    private Stats() {}

    /** @return null when there are no values */
    static Double percentile(double[] values, double p) {
        if (values.length == 0) {
            return null;
        }
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(1, Math.min(rank, sorted.length)) - 1];
    }

    static Double median(double[] values) {
        return percentile(values, 50);
    }

    /** The non-null values of a collection, for metrics that some requests lack. */
    static double[] present(Collection<Double> values) {
        return values.stream().filter(v -> v != null).mapToDouble(Double::doubleValue).toArray();
    }
}
