package io.llmrelay.cli.probe;

import java.util.List;

/** The readable report: the targets, a row per request, the problems, a summary per side, and A - B. */
final class TextReport {
    private TextReport() {}

    static String render(ProbeOptions options, List<Outcome> outcomes, List<Summary> summaries) {
        StringBuilder out = new StringBuilder();
        out.append(heading(options)).append('\n');
        out.append("per request (times in ms from sending it; gap = time between consecutive chunks):\n");
        out.append(requests(outcomes));
        String problems = problems(outcomes);
        if (!problems.isEmpty()) {
            out.append("\nproblems:\n").append(problems);
        }
        out.append("\nsummary (median / p90 over the requests that were ok):\n").append(summary(summaries));
        if (summaries.size() == 2) {
            out.append("\nA - B (medians; A / B as a ratio). What A adds over B:\n")
                    .append(difference(Summary.compare(summaries.get(0), summaries.get(1))));
        }
        out.append("\nbursts, held back:\n  ").append(BurstRule.DEFINITION.replace("\n", "\n  ")).append('\n');
        return out.toString();
    }

    private static String heading(ProbeOptions options) {
        List<Target> targets = options.targets();
        StringBuilder out = new StringBuilder("probe: ").append(options.requests()).append(" streamed request(s)")
                .append(targets.size() == 2 ? " to each of A and B, interleaved A B A B ..." : " to A")
                .append(", ").append(options.concurrency()).append(" at a time\n");
        for (Target t : targets) {
            out.append("  ").append(t.side()).append("  ").append(t.display()).append("  model ").append(t.model())
                    .append("  key ").append(t.key() == null ? "none" : "****** (masked)").append('\n');
        }
        return out.toString();
    }

    private static String requests(List<Outcome> outcomes) {
        TextTable table = new TextTable(3, "side", "#", "result", "status", "headers", "first content", "total",
                "chunks", "gap p50", "gap p99", "gap max", "bursts", "held back", "[DONE]");
        for (Outcome o : outcomes) {
            table.row(o.side(), String.valueOf(o.number()), o.ok() ? "ok" : "FAILED",
                    o.status() == null ? "-" : String.valueOf(o.status()),
                    TextTable.ms(o.headersMs()), TextTable.ms(o.firstContentMs()), TextTable.ms(o.totalMs()),
                    String.valueOf(o.chunks()), TextTable.ms(o.gapP50Ms()), TextTable.ms(o.gapP99Ms()),
                    TextTable.ms(o.gapMaxMs()), String.valueOf(o.bursts().size()), String.valueOf(o.heldBack()),
                    String.valueOf(o.doneCount()));
        }
        return table.render("  ");
    }

    private static String problems(List<Outcome> outcomes) {
        StringBuilder out = new StringBuilder();
        for (Outcome o : outcomes) {
            if (o.error() != null) {
                out.append("  ").append(o.side()).append(" #").append(o.number()).append(": ").append(o.error()).append('\n');
            }
            for (BurstRule.Burst b : o.bursts()) {
                out.append("  ").append(o.side()).append(" #").append(o.number()).append(": ").append(b.events())
                        .append(" chunks held back: events ").append(b.firstEvent() + 1).append('-')
                        .append(b.firstEvent() + b.events()).append(" came within 1 ms of each other after a ")
                        .append(TextTable.ms(b.pauseMs())).append(" ms pause\n");
            }
        }
        return out.toString();
    }

    private static String summary(List<Summary> summaries) {
        Metric[] metrics = Metric.values();
        String[] header = new String[metrics.length + 2];
        header[0] = "side";
        header[1] = "ok";
        for (int i = 0; i < metrics.length; i++) {
            header[i + 2] = metrics[i].label;
        }
        TextTable table = new TextTable(2, header);
        for (Summary s : summaries) {
            String[] row = new String[header.length];
            row[0] = s.target().side();
            row[1] = s.ok() + "/" + s.requests();
            for (int i = 0; i < metrics.length; i++) {
                Summary.Dist d = s.metrics().get(metrics[i]);
                row[i + 2] = TextTable.figure(metrics[i], d.median()) + " / " + TextTable.figure(metrics[i], d.p90());
            }
            table.row(row);
        }
        return table.render("  ");
    }

    private static String difference(List<Summary.Difference> differences) {
        TextTable table = new TextTable(1, "metric", "A", "B", "A - B", "A / B");
        for (Summary.Difference d : differences) {
            String diff = d.difference() == null ? "-"
                    : (d.difference() >= 0 ? "+" : "") + TextTable.figure(d.metric(), d.difference());
            String ratio = d.ratio() == null ? "-" : String.format(java.util.Locale.ROOT, "%.2fx", d.ratio());
            table.row(d.metric().label, TextTable.figure(d.metric(), d.a()), TextTable.figure(d.metric(), d.b()),
                    diff, ratio);
        }
        return table.render("  ");
    }
}
