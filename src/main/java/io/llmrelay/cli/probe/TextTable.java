package io.llmrelay.cli.probe;

import java.util.ArrayList;
import java.util.List;

/** A plain-text table: columns padded to their widest cell, text left-aligned, figures right-aligned. */
final class TextTable {
    private final List<String> header;
    private final boolean[] right;
    private final List<List<String>> rows = new ArrayList<>();

    /** @param leftColumns how many leading columns hold text (the rest hold figures) */
    TextTable(int leftColumns, String... header) {
        this.header = List.of(header);
        this.right = new boolean[header.length];
        for (int i = leftColumns; i < header.length; i++) {
            right[i] = true;
        }
    }

    TextTable row(String... cells) {
        if (cells.length != header.size()) {
            throw new IllegalArgumentException("expected " + header.size() + " cells, got " + cells.length);
        }
        rows.add(List.of(cells));
        return this;
    }

    String render(String indent) {
        int[] widths = new int[header.size()];
        for (List<String> row : allRows()) {
            for (int i = 0; i < row.size(); i++) {
                widths[i] = Math.max(widths[i], row.get(i).length());
            }
        }
        StringBuilder out = new StringBuilder();
        for (List<String> row : allRows()) {
            StringBuilder line = new StringBuilder(indent);
            for (int i = 0; i < row.size(); i++) {
                String cell = row.get(i);
                String pad = " ".repeat(widths[i] - cell.length());
                line.append(i == 0 ? "" : "  ").append(right[i] ? pad + cell : cell + pad);
            }
            out.append(line.toString().stripTrailing()).append('\n');
        }
        return out.toString();
    }

    private List<List<String>> allRows() {
        List<List<String>> all = new ArrayList<>();
        all.add(header);
        all.addAll(rows);
        return all;
    }

    /** Milliseconds with one decimal, or "-" when there is no figure. */
    static String ms(Double value) {
        return value == null ? "-" : String.format(java.util.Locale.ROOT, "%.1f", value);
    }

    /** A figure as its metric prints it: milliseconds with a decimal, counts without. */
    static String figure(Metric metric, Double value) {
        if (value == null) {
            return "-";
        }
        return metric.millis ? ms(value) : String.format(java.util.Locale.ROOT, "%.0f", value);
    }
}
