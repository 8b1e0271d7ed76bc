package io.llmrelay.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * {@link TraceParent} against the W3C Trace Context page (https://www.w3.org/TR/trace-context/,
 * "traceparent Header Field Values", "Versioning of traceparent"): its own examples, the invalid
 * values it names, and random values and mutations judged by a reference written here from the
 * page's ABNF rather than from the parser.
 */
class TraceParentTest {
    /** version-format for 00, exactly; a higher version: the same prefix, then the end or a dash. */
    private static final Pattern VERSION_00 = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    private static final Pattern HIGHER = Pattern.compile("([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(-.*)?",
            Pattern.DOTALL);

    @Test
    void theSpecsExamples() {
        TraceContext sampled = TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01").orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", sampled.traceId());
        assertEquals("00f067aa0ba902b7", sampled.parentId());
        assertTrue(sampled.sampled());
        assertFalse(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00").orElseThrow().sampled());
        assertTrue(TraceParent.parse("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09").orElseThrow().sampled(),
                "flags are a bit field: 09 has the sampled bit");
        assertEquals("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01", sampled.traceparent());
    }

    @Test
    void whatThePageCallsInvalid() {
        for (String value : List.of(
                "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",   // version ff is forbidden
                "00-00000000000000000000000000000000-00f067aa0ba902b7-01",   // all-zero trace-id
                "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",   // all-zero parent-id
                "00-4BF92F3577B34DA6A3CE929D0E0E4736-00f067aa0ba902b7-01",   // not lowercase
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-x", // version 00 has nothing after the flags
                "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",    // short trace-id
                "0-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",    // version not 2 hex digits
                "cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01.x", // higher version: flags not followed by a dash
                "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01,00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
                "", "00")) {
            assertEquals(Optional.empty(), TraceParent.parse(value), value);
        }
        assertEquals(Optional.empty(), TraceParent.parse(null));
        assertEquals(Optional.empty(), TraceParent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-"
                + "x".repeat(TraceParent.MAX_CHARS)), "a prohibitively large header is not read");
    }

    @Test
    void aHigherVersionIsReadAsFarAsVersion00Goes() {
        TraceContext future = TraceParent.parse("cc-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-what-the-future-holds")
                .orElseThrow();
        assertEquals("4bf92f3577b34da6a3ce929d0e0e4736", future.traceId());
        assertTrue(future.sampled());
    }

    @Test
    void property_theParserAgreesWithTheSpecsGrammarOnRandomValuesAndMutations() {
        Random random = new Random(3101);
        HexFormat hex = HexFormat.of();
        String alphabet = "0123456789abcdefABCDEF-_ x";
        int valid = 0;
        for (int i = 0; i < 4000; i++) {
            byte[] trace = new byte[16];
            byte[] parent = new byte[8];
            random.nextBytes(trace);
            random.nextBytes(parent);
            if (random.nextInt(20) == 0) {
                trace = new byte[16];
            }
            String version = random.nextInt(4) == 0 ? hex.toHexDigits((byte) random.nextInt(256)) : "00";
            StringBuilder value = new StringBuilder(version + "-" + hex.formatHex(trace) + "-" + hex.formatHex(parent) + "-"
                    + hex.toHexDigits((byte) random.nextInt(256)) + (random.nextInt(5) == 0 ? "-tail" : ""));
            for (int e = random.nextInt(3); e > 0; e--) {
                int at = random.nextInt(value.length());
                value.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
            String text = value.toString();
            Optional<TraceContext> parsed = TraceParent.parse(text);
            Optional<TraceContext> reference = reference(text);
            assertEquals(reference, parsed, text);
            valid += parsed.isPresent() ? 1 : 0;
        }
        assertTrue(valid > 1000 && valid < 3500, "both kinds were generated: " + valid + " valid of 4000");
    }

    /** The grammar, read directly: what the page says a receiver must accept, and what it reads from it. */
    private static Optional<TraceContext> reference(String value) {
        var v00 = VERSION_00.matcher(value);
        var higher = HIGHER.matcher(value);
        String traceId;
        String parentId;
        String flags;
        if (v00.matches()) {
            traceId = v00.group(1);
            parentId = v00.group(2);
            flags = v00.group(3);
        } else if (higher.matches() && !higher.group(1).equals("00") && !higher.group(1).equals("ff")) {
            traceId = higher.group(2);
            parentId = higher.group(3);
            flags = higher.group(4);
        } else {
            return Optional.empty();
        }
        if (traceId.chars().allMatch(c -> c == '0') || parentId.chars().allMatch(c -> c == '0')) {
            return Optional.empty();
        }
        return Optional.of(new TraceContext(traceId, parentId, (Integer.parseInt(flags, 16) & 1) == 1));
    }
}
