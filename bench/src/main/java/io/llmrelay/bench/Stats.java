package io.llmrelay.bench;

import java.util.Arrays;
import java.util.List;

/** Percentiles (nearest rank) and medians over samples in milliseconds. */
final class Stats {
    private Stats() {}

    static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    static double[] sorted(List<Double> values) {
        double[] a = values.stream().mapToDouble(Double::doubleValue).toArray();
        Arrays.sort(a);
        return a;
    }

    static double median(List<Double> values) {
        return percentile(sorted(values), 50);
    }

    static double median(double[] values) {
        double[] a = values.clone();
        Arrays.sort(a);
        if (a.length == 0) {
            return Double.NaN;
        }
        return a.length % 2 == 1 ? a[a.length / 2] : (a[a.length / 2 - 1] + a[a.length / 2]) / 2;
    }

    /** The machine's load averages (/proc/loadavg's first three fields), or "unknown": every figure goes with its load. */
    static String loadAverage() {
        try {
            String[] f = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (java.io.IOException | RuntimeException e) {
            return "unknown";
        }
    }

    static double ms(long nanos) {
        return nanos / 1_000_000.0;
    }
}
