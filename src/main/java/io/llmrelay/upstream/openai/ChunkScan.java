package io.llmrelay.upstream.openai;

/**
 * The per-token half of {@link ChunkDecoder}'s field scan: a strict JSON (RFC 8259) validator
 * over the payload string that notes which of {@code id}, {@code object}, {@code created},
 * {@code model} and {@code error} the top-level object has, without allocating anything.
 *
 * <p>It answers only when it is certain that Jackson's scan ({@link ChunkDecoder#scanWithJackson})
 * would give the same answer, i.e. for one strictly valid JSON object whose field names have no
 * escapes, nested at most {@value #MAX_DEPTH} deep; for everything else (not an object, invalid
 * JSON, escaped names, numbers longer than {@value #MAX_NUMBER} characters) it says
 * {@link #UNSURE} and Jackson decides. Strict JSON is a subset of what Jackson's default parser
 * accepts, so a certain answer never differs from Jackson's (ChunkScanTest checks this on a
 * corpus and on random mutations of it).
 *
 * <p>Measured with bench/ JMH ({@code SseRelayBenchmark}): see README "Performance".
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
        int i = ws(s, 0, n);
        if (i >= n || s.charAt(i) != '{') {
            return UNSURE;
        }
        i = ws(s, i + 1, n);
        int seen = 0;
        if (i < n && s.charAt(i) == '}') {
            i++;
        } else {
            while (true) {
                if (i >= n || s.charAt(i) != '"') {
                    return UNSURE;
                }
                int nameStart = i + 1;
                int nameEnd = plainName(s, nameStart, n);
                if (nameEnd < 0) {
                    return UNSURE;
                }
                i = ws(s, nameEnd + 1, n);
                if (i >= n || s.charAt(i) != ':') {
                    return UNSURE;
                }
                i = ws(s, i + 1, n);
                if (i >= n) {
                    return UNSURE;
                }
                char first = s.charAt(i);
                int end = value(s, i, n, 1);
                if (end < 0) {
                    return UNSURE;
                }
                if (first != 'n') { // the only valid value starting with 'n' is null
                    seen |= flag(s, nameStart, nameEnd, first);
                }
                i = ws(s, end, n);
                if (i >= n) {
                    return UNSURE;
                }
                char c = s.charAt(i);
                if (c == ',') {
                    i = ws(s, i + 1, n);
                } else if (c == '}') {
                    i++;
                    break;
                } else {
                    return UNSURE;
                }
            }
        }
        return ws(s, i, n) == n ? seen : UNSURE;
    }

    private static int flag(String s, int start, int end, char valueStart) {
        int len = end - start;
        return switch (len) {
            case 2 -> s.startsWith("id", start) ? ChunkDecoder.HAS_ID : 0;
            case 5 -> s.startsWith("model", start) ? ChunkDecoder.HAS_MODEL
                    : s.startsWith("error", start) && (valueStart == '{' || valueStart == '"') ? ChunkDecoder.HAS_ERROR : 0;
            case 6 -> s.startsWith("object", start) ? ChunkDecoder.HAS_OBJECT : 0;
            case 7 -> s.startsWith("created", start) ? ChunkDecoder.HAS_CREATED : 0;
            default -> 0;
        };
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

    /** The index just past the value starting at {@code i}, or -1 if it is not strict JSON. */
    private static int value(String s, int i, int n, int depth) {
        char c = s.charAt(i);
        switch (c) {
            case '"':
                return string(s, i + 1, n);
            case '{':
                return object(s, i + 1, n, depth + 1);
            case '[':
                return array(s, i + 1, n, depth + 1);
            case 't':
                return s.startsWith("true", i) ? i + 4 : -1;
            case 'f':
                return s.startsWith("false", i) ? i + 5 : -1;
            case 'n':
                return s.startsWith("null", i) ? i + 4 : -1;
            default:
                return c == '-' || (c >= '0' && c <= '9') ? number(s, i, n) : -1;
        }
    }

    private static int object(String s, int i, int n, int depth) {
        if (depth > MAX_DEPTH) {
            return -1;
        }
        i = ws(s, i, n);
        if (i < n && s.charAt(i) == '}') {
            return i + 1;
        }
        while (true) {
            if (i >= n || s.charAt(i) != '"') {
                return -1;
            }
            i = string(s, i + 1, n);
            if (i < 0) {
                return -1;
            }
            i = ws(s, i, n);
            if (i >= n || s.charAt(i) != ':') {
                return -1;
            }
            i = ws(s, i + 1, n);
            if (i >= n || (i = value(s, i, n, depth)) < 0) {
                return -1;
            }
            i = ws(s, i, n);
            if (i >= n) {
                return -1;
            }
            char c = s.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c != ',') {
                return -1;
            }
            i = ws(s, i + 1, n);
        }
    }

    private static int array(String s, int i, int n, int depth) {
        if (depth > MAX_DEPTH) {
            return -1;
        }
        i = ws(s, i, n);
        if (i < n && s.charAt(i) == ']') {
            return i + 1;
        }
        while (true) {
            if (i >= n || (i = value(s, i, n, depth)) < 0) {
                return -1;
            }
            i = ws(s, i, n);
            if (i >= n) {
                return -1;
            }
            char c = s.charAt(i);
            if (c == ']') {
                return i + 1;
            }
            if (c != ',') {
                return -1;
            }
            i = ws(s, i + 1, n);
        }
    }

    /** From just after the opening quote to just after the closing one, or -1. */
    private static int string(String s, int i, int n) {
        while (i < n) {
            char c = s.charAt(i++);
            if (c == '"') {
                return i;
            }
            if (c == '\\') {
                if (i >= n) {
                    return -1;
                }
                char e = s.charAt(i++);
                switch (e) {
                    case '"', '\\', '/', 'b', 'f', 'n', 'r', 't' -> { }
                    case 'u' -> {
                        if (i + 4 > n) {
                            return -1;
                        }
                        for (int k = 0; k < 4; k++) {
                            if (Character.digit(s.charAt(i + k), 16) < 0) {
                                return -1;
                            }
                        }
                        i += 4;
                    }
                    default -> {
                        return -1;
                    }
                }
            } else if (c < 0x20) {
                return -1;
            }
        }
        return -1;
    }

    /** -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? , at most MAX_NUMBER characters. */
    private static int number(String s, int i, int n) {
        int start = i;
        if (s.charAt(i) == '-') {
            i++;
        }
        if (i >= n) {
            return -1;
        }
        char c = s.charAt(i);
        if (c == '0') {
            i++;
        } else if (c >= '1' && c <= '9') {
            i = digits(s, i, n);
        } else {
            return -1;
        }
        if (i < n && s.charAt(i) == '.') {
            int after = digits(s, i + 1, n);
            if (after == i + 1) {
                return -1;
            }
            i = after;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int after = digits(s, i, n);
            if (after == i) {
                return -1;
            }
            i = after;
        }
        // A number must end at a delimiter; "01" or "1x" are not numbers.
        if (i < n) {
            char next = s.charAt(i);
            if (!(next == ',' || next == '}' || next == ']' || next == ' ' || next == '\t' || next == '\n'
                    || next == '\r')) {
                return -1;
            }
        }
        return i - start > MAX_NUMBER ? -1 : i;
    }

    private static int digits(String s, int i, int n) {
        while (i < n) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int ws(String s, int i, int n) {
        while (i < n) {
            char c = s.charAt(i);
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
                break;
            }
            i++;
        }
        return i;
    }
}
