package io.llmrelay.runtime.http;

/** The character classes of an HTTP/1.1 message head (RFC 9110, RFC 9112), and error-message quoting. */
final class HttpSyntax {
    private HttpSyntax() {}

    static boolean isDigits(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            if (s.charAt(i) < '0' || s.charAt(i) > '9') {
                return false;
            }
        }
        return to > from;
    }

    static boolean isHex(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    /** RFC 9110 section 5.6.2 token characters. */
    static boolean isToken(String s, int from, int to) {
        for (int i = from; i < to; i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || "!#$%&'*+-.^_`|~".indexOf(c) >= 0;
            if (!ok) {
                return false;
            }
        }
        return true;
    }

    /** Whether the comma-separated {@code list} (already lower-cased) holds {@code token}. */
    static boolean hasToken(String list, String token) {
        for (String part : list.split(",")) {
            if (part.strip().equals(token)) {
                return true;
            }
        }
        return false;
    }

    /** A reply fragment for an error message: short, on one line, control characters shown as '?'. */
    static String printable(String text) {
        String cut = text.length() > 100 ? text.substring(0, 100) + "..." : text;
        return cut.replaceAll("\\p{Cntrl}", "?");
    }

    /** A header or trailer value as written: a line break in it would end the field early. */
    static String fieldValue(String value) {
        return value.replace('\r', ' ').replace('\n', ' ');
    }
}
