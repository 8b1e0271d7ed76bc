package io.llmrelay.bench;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Writes maps, lists, strings and numbers as indented JSON (the bench's results file). */
final class JsonWriter {
    private JsonWriter() {}

    static String write(Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value, 0);
        return out.append('\n').toString();
    }

    private static void write(StringBuilder out, Object value, int indent) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            out.append('"');
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> out.append("\\\"");
                    case '\\' -> out.append("\\\\");
                    case '\n' -> out.append("\\n");
                    case '\r' -> out.append("\\r");
                    case '\t' -> out.append("\\t");
                    default -> {
                        if (c < 0x20) {
                            out.append(String.format("\\u%04x", (int) c));
                        } else {
                            out.append(c);
                        }
                    }
                }
            }
            out.append('"');
        } else if (value instanceof Double d) {
            out.append(d.isNaN() || d.isInfinite() ? "null" : String.format(Locale.ROOT, "%.3f", d));
        } else if (value instanceof Number || value instanceof Boolean) {
            out.append(value);
        } else if (value instanceof Map<?, ?> map) {
            out.append("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "\n" : ",\n").append("  ".repeat(indent + 1));
                write(out, String.valueOf(e.getKey()), indent + 1);
                out.append(": ");
                write(out, e.getValue(), indent + 1);
                first = false;
            }
            out.append(first ? "}" : "\n" + "  ".repeat(indent) + "}");
        } else if (value instanceof List<?> list) {
            boolean simple = list.stream().allMatch(v -> v instanceof Number || v instanceof String);
            out.append("[");
            for (int i = 0; i < list.size(); i++) {
                if (simple) {
                    out.append(i == 0 ? "" : ", ");
                } else {
                    out.append(i == 0 ? "\n" : ",\n").append("  ".repeat(indent + 1));
                }
                write(out, list.get(i), indent + 1);
            }
            out.append(simple || list.isEmpty() ? "]" : "\n" + "  ".repeat(indent) + "]");
        } else if (value instanceof double[] a) {
            write(out, java.util.Arrays.stream(a).boxed().toList(), indent);
        } else {
            write(out, value.toString(), indent);
        }
    }
}
