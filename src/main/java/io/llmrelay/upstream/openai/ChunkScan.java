package io.llmrelay.upstream.openai;

/**
 * The per-token half of {@link ChunkDecoder}'s field scan: a strict JSON (RFC 8259) validator
 * over the payload string that notes which of {@code id}, {@code object}, {@code created},
 * {@code model}, {@code error} and {@code usage} the top-level object has, and whether its
 * {@code choices} is {@code []}, without allocating anything.
 *
 * <p>It answers only when it is certain that Jackson's scan ({@link ChunkDecoder#scanWithJackson})
 * would give the same answer, i.e. for one strictly valid JSON object whose field names have no
 * escapes, nested at most {@value #MAX_DEPTH} deep; for everything else (not an object, invalid
 * JSON, escaped names, numbers longer than {@value #MAX_NUMBER} characters) it says
 * {@link #UNSURE} and Jackson decides. Strict JSON is a subset of what Jackson's default parser
 * accepts, so a certain answer never differs from Jackson's (ChunkScanTest checks this on a
 * corpus and on random mutations of it).
 *
 * <p>The validation itself is {@link StrictJson}'s. Its cost per event is measured by bench/ JMH
 * ({@code SseRelayBenchmark}); figures in README "Performance".
 */
final class ChunkScan {
    /** Not sure: ask Jackson. */
    static final int UNSURE = -2;
    static final int MAX_DEPTH = 64;
    static final int MAX_NUMBER = 64;
    private static final int MAX_NAME = 1024;

    private ChunkScan() {}

    /** The HAS_* flags of {@link ChunkDecoder} for a valid top-level object, or {@link #UNSURE}. */
    static int topLevelFields(String s) {
        int n = s.length();
        int i = expect(s, StrictJson.ws(s, 0, n), n, '{');
        int seen = 0;
        if (i >= 0 && i < n && s.charAt(i) == '}') {
            i++;
        } else {
            while (i >= 0) {
                if (i >= n || s.charAt(i) != '"') {
                    return UNSURE;
                }
                int nameStart = i + 1;
                int nameEnd = plainName(s, nameStart, n);
                if (nameEnd < 0) {
                    return UNSURE;
                }
                i = expect(s, StrictJson.ws(s, nameEnd + 1, n), n, ':');
                if (i < 0 || i >= n) {
                    return UNSURE;
                }
                char first = s.charAt(i);
                int end = StrictJson.value(s, i, n, 1);
                if (end < 0) {
                    return UNSURE;
                }
                if (first != 'n') { // the only valid value starting with 'n' is null
                    seen |= flag(s, nameStart, nameEnd, first);
                    if (nameEnd - nameStart == 7 && s.startsWith("choices", nameStart)) {
                        // the last choices decides, as it does for a JSON reader
                        seen = emptyArray(s, i, end) ? seen | ChunkDecoder.HAS_EMPTY_CHOICES
                                : seen & ~ChunkDecoder.HAS_EMPTY_CHOICES;
                    }
                }
                i = StrictJson.ws(s, end, n);
                if (i < n && s.charAt(i) == '}') {
                    i++;
                    break;
                }
                i = expect(s, i, n, ',');
            }
        }
        return i >= 0 && StrictJson.ws(s, i, n) == n ? seen : UNSURE;
    }

    /** Past {@code c} at {@code i} and the whitespace after it; -1 when {@code c} is not there. */
    private static int expect(String s, int i, int n, char c) {
        return i < n && s.charAt(i) == c ? StrictJson.ws(s, i + 1, n) : -1;
    }

    private static int flag(String s, int start, int end, char valueStart) {
        return switch (end - start) {
            case 2 -> s.startsWith("id", start) ? ChunkDecoder.HAS_ID : 0;
            case 5 -> s.startsWith("model", start) ? ChunkDecoder.HAS_MODEL
                    : s.startsWith("error", start) && (valueStart == '{' || valueStart == '"') ? ChunkDecoder.HAS_ERROR
                    : s.startsWith("usage", start) && valueStart == '{' ? ChunkDecoder.HAS_USAGE : 0;
            case 6 -> s.startsWith("object", start) ? ChunkDecoder.HAS_OBJECT : 0;
            case 7 -> s.startsWith("created", start) ? ChunkDecoder.HAS_CREATED : 0;
            default -> 0;
        };
    }

    /** Whether the valid value {@code s[value, valueEnd)} is {@code []} (whitespace inside allowed). */
    private static boolean emptyArray(String s, int value, int valueEnd) {
        return s.charAt(value) == '[' && StrictJson.ws(s, value + 1, valueEnd) == valueEnd - 1;
    }

    /** The index of the closing quote of a name without escapes or control characters, else -1. */
    private static int plainName(String s, int i, int n) {
        int limit = Math.min(n, i + MAX_NAME);
        for (; i < limit; i++) {
            char c = s.charAt(i);
            if (c == '"') {
                return i;
            }
            if (c == '\\' || c < 0x20) {
                return -1;
            }
        }
        return -1;
    }
}
