package io.llmrelay.docs;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell blocks of a Markdown document (fences marked {@code sh}, {@code bash}, {@code shell} or
 * {@code console}), each with the marker comment on the line before its fence:
 * {@code <!-- runnable -->}, {@code <!-- runnable: starts serve -->},
 * {@code <!-- runnable: while serve runs -->}, {@code <!-- run by .ci/run -->} or
 * {@code <!-- not runnable: why -->}.
 */
record ReadmeBlocks(List<Block> blocks) {
    enum Kind {
        RUNNABLE, STARTS_SERVE, WHILE_SERVE_RUNS, CI, NOT_RUNNABLE, UNMARKED
    }

    /** @param line the fence's line number (1-based), for messages */
    record Block(int line, Kind kind, String reason, String text) {}

    private static final Pattern FENCE = Pattern.compile("^(\\s*)```(sh|bash|shell|console)\\s*$");
    private static final Pattern MARKER = Pattern.compile(
            "^\\s*<!-- (runnable|runnable: starts serve|runnable: while serve runs|run by \\.ci/run|not runnable: (.+)) -->\\s*$");

    static ReadmeBlocks parse(String markdown) {
        List<String> lines = markdown.lines().toList();
        List<Block> blocks = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            Matcher fence = FENCE.matcher(lines.get(i));
            if (!fence.matches()) {
                continue;
            }
            String indent = fence.group(1);
            StringBuilder text = new StringBuilder();
            int end = i + 1;
            while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                String line = lines.get(end);
                text.append(line.startsWith(indent) ? line.substring(indent.length()) : line.strip()).append('\n');
                end++;
            }
            Matcher marker = i > 0 ? MARKER.matcher(lines.get(i - 1)) : null;
            Kind kind = Kind.UNMARKED;
            String reason = null;
            if (marker != null && marker.matches()) {
                kind = switch (marker.group(1)) {
                    case "runnable" -> Kind.RUNNABLE;
                    case "runnable: starts serve" -> Kind.STARTS_SERVE;
                    case "runnable: while serve runs" -> Kind.WHILE_SERVE_RUNS;
                    case "run by .ci/run" -> Kind.CI;
                    default -> Kind.NOT_RUNNABLE;
                };
                reason = marker.group(2);
            }
            blocks.add(new Block(i + 1, kind, reason, text.toString()));
            i = end;
        }
        return new ReadmeBlocks(List.copyOf(blocks));
    }

    List<Block> of(Kind kind) {
        return blocks.stream().filter(b -> b.kind() == kind).toList();
    }
}
