package io.llmrelay.upstream.openai;

/**
 * Strict JSON (RFC 8259) values, scanned in place over a string without allocating: each method
 * returns the index just past what it read, or -1 when that is not strict JSON. Nesting deeper than
 * {@link ChunkScan#MAX_DEPTH} and numbers longer than {@link ChunkScan#MAX_NUMBER} characters are
 * refused too (-1), which sends {@link ChunkScan} to Jackson for an answer.
 */
final class StrictJson {
    private StrictJson() {}

    /** The index just past the value starting at {@code i}, or -1 if it is not strict JSON. */
    static int value(String s, int i, int n, int depth) {
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
        if (depth > ChunkScan.MAX_DEPTH) {
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
        if (depth > ChunkScan.MAX_DEPTH) {
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
    static int string(String s, int i, int n) {
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
        return i - start > ChunkScan.MAX_NUMBER ? -1 : i;
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

    static int ws(String s, int i, int n) {
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
