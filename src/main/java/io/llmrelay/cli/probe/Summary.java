package io.llmrelay.cli.probe;

import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * One side's requests summarised: per {@link Metric}, the median and p90 over the requests that
 * were ok (a refused or broken request has no meaningful timing; it is counted in {@code failed}).
 */
record Summary(Target target, int requests, int ok, Map<Metric, Dist> metrics) {

    /** Median and p90 (nearest rank); both null when no ok request had the metric. */
    record Dist(Double median, Double p90) {}

    static Summary of(Target target, List<Outcome> all) {
        List<Outcome> mine = all.stream().filter(o -> o.side().equals(target.side())).toList();
        List<Outcome> ok = mine.stream().filter(Outcome::ok).toList();
        Map<Metric, Dist> metrics = new EnumMap<>(Metric.class);
        for (Metric m : Metric.values()) {
            double[] values = Stats.present(ok.stream().map(m.value).toList());
            metrics.put(m, new Dist(Stats.median(values), Stats.percentile(values, 90)));
        }
        return new Summary(target, mine.size(), ok.size(), metrics);
    }

    int failed() {
        return requests - ok;
    }

    Double median(Metric m) {
        return metrics.get(m).median();
    }

    /**
     * A - B for one metric, from the two sides' medians.
     *
     * @param ratio A / B, null when B is 0 or either side lacks the metric
     */
    record Difference(Metric metric, Double a, Double b, Double difference, Double ratio) {}

    /** Every metric of {@code a} against {@code b}: what A adds over B. */
    static List<Difference> compare(Summary a, Summary b) {
        return java.util.Arrays.stream(Metric.values()).map(m -> {
            Double x = a.median(m);
            Double y = b.median(m);
            boolean both = x != null && y != null;
            return new Difference(m, x, y, both ? x - y : null, both && y != 0 ? x / y : null);
        }).toList();
    }
}
