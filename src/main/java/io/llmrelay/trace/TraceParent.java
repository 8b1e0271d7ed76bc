package io.llmrelay.trace;

import java.util.Optional;

/**
 * Reads a caller's {@code traceparent} header by the W3C Trace Context rules
 * (https://www.w3.org/TR/trace-context/#traceparent-header, "traceparent Header Field Values" and
 * "Versioning of traceparent"):
 *
 * <ul>
 *   <li>version: 2 lowercase hex digits and a dash; {@code ff} is invalid;</li>
 *   <li>version {@code 00}: exactly {@code 00-<32 hex trace-id>-<16 hex parent-id>-<2 hex flags>}
 *       (55 characters), all hex lowercase;</li>
 *   <li>a higher version: at least 55 characters, the same three fields where version 00 has them,
 *       the flags at the end or followed by a dash; whatever follows is not read;</li>
 *   <li>a trace-id or parent-id of all zeros is invalid, and an invalid header is ignored.</li>
 * </ul>
 *
 * A header longer than {@value #MAX_CHARS} characters is not read at all (the spec lets a
 * pass-through "disallow prohibitively large headers"), so a caller cannot make the relay scan
 * or log a large value.
 */
public final class TraceParent {
    static final int MAX_CHARS = 512;
    private static final int VERSION_00_LENGTH = 55;

    private TraceParent() {}

    /** The caller's trace-id, parent-id and sampled flag; empty when the value is absent or invalid. */
    public static Optional<TraceContext> parse(String value) {
        if (value == null || value.length() < VERSION_00_LENGTH || value.length() > MAX_CHARS) {
            return Optional.empty();
        }
        if (!hex(value, 0, 2) || value.charAt(2) != '-' || value.startsWith("ff")) {
            return Optional.empty();
        }
        boolean version00 = value.startsWith("00");
        if (version00 && value.length() != VERSION_00_LENGTH) {
            return Optional.empty();
        }
        if (!version00 && value.length() > VERSION_00_LENGTH && value.charAt(VERSION_00_LENGTH) != '-') {
            return Optional.empty();
        }
        if (value.charAt(35) != '-' || value.charAt(52) != '-' || !hex(value, 53, 55)) {
            return Optional.empty();
        }
        String traceId = value.substring(3, 35);
        String parentId = value.substring(36, 52);
        if (!TraceContext.validTraceId(traceId) || !TraceContext.validParentId(parentId)) {
            return Optional.empty();
        }
        boolean sampled = (Character.digit(value.charAt(54), 16) & 1) == 1;
        return Optional.of(new TraceContext(traceId, parentId, sampled));
    }

    /** Whether {@code [from, to)} is lowercase hex digits ("HEXDIGLC"). */
    private static boolean hex(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }
}
