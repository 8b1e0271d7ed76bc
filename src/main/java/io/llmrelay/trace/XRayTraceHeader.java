package io.llmrelay.trace;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Reads AWS X-Ray's tracing header, as Lambda hands it to the runtime
 * ({@code Lambda-Runtime-Trace-Id}, the Java runtime's {@code Context.getXrayTraceId()}):
 * {@code Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1}, fields
 * separated by semicolons in any order, others (such as {@code Lineage}) ignored. The root is
 * version {@code 1}, 8 hex digits of epoch seconds and 24 hex digits of a unique number
 * (https://docs.aws.amazon.com/xray/latest/devguide/xray-services-elb.html, "X-Ray trace ID
 * format"); dropping the {@code 1-} and the dash between the two numbers gives the 32-hex W3C
 * trace-id, the mapping {@link TraceContext#xrayHeader()} reverses. {@code Parent} is the id of
 * the function's segment; with {@code PassThrough} tracing Lambda may send only a root.
 */
public final class XRayTraceHeader {
    static final int MAX_CHARS = 1024;
    private static final Pattern ROOT = Pattern.compile("1-([0-9a-f]{8})-([0-9a-f]{24})");
    private static final Pattern PARENT = Pattern.compile("[0-9a-f]{16}");

    /**
     * @param traceId  the root as a W3C trace-id
     * @param parentId the segment id, or null when the header has none (or an invalid one)
     * @param sampled  {@code Sampled=1}
     */
    public record Fields(String traceId, String parentId, boolean sampled) {}

    private XRayTraceHeader() {}

    /** The header's root, parent and sampling decision; empty when it has no valid root. */
    public static Optional<Fields> parse(String header) {
        if (header == null || header.isEmpty() || header.length() > MAX_CHARS) {
            return Optional.empty();
        }
        String traceId = null;
        String parentId = null;
        boolean sampled = false;
        for (String field : header.split(";")) {
            int eq = field.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String name = field.substring(0, eq).strip();
            String value = field.substring(eq + 1).strip().toLowerCase(Locale.ROOT);
            switch (name) {
                case "Root" -> {
                    var root = ROOT.matcher(value);
                    traceId = root.matches() ? root.group(1) + root.group(2) : null;
                }
                case "Parent" -> parentId = PARENT.matcher(value).matches() ? value : null;
                case "Sampled" -> sampled = value.equals("1");
                default -> { }
            }
        }
        if (traceId == null || !TraceContext.validTraceId(traceId)) {
            return Optional.empty();
        }
        return Optional.of(new Fields(traceId, parentId != null && TraceContext.validParentId(parentId) ? parentId : null,
                sampled));
    }
}
