package io.llmrelay.secrets;

/**
 * The escapes of a JSON string (RFC 8259, section 7: https://www.rfc-editor.org/rfc/rfc8259#section-7),
 * as a client's decoder turns them back into chars: {@code \" \\ \/ \b \f \n \r \t} and
 * {@code \}{@code uXXXX} with four hex digits in either case. A surrogate pair is two such
 * escapes, each one UTF-16 unit, which is how the scanners match it against a key's chars.
 */
final class JsonEscapes {
    /** Length of {@code \}{@code uXXXX}. */
    static final int UNICODE_LENGTH = 6;

    private JsonEscapes() {}

    /** The char that {@code \c} stands for, or -1 when {@code c} does not make a two-char escape. */
    static int shortEscape(int c) {
        return switch (c) {
            case '"', '\\', '/' -> c;
            case 'b' -> '\b';
            case 'f' -> '\f';
            case 'n' -> '\n';
            case 'r' -> '\r';
            case 't' -> '\t';
            default -> -1;
        };
    }

    /** The value of one hex digit, or -1. */
    static int hex(int c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    /** The UTF-16 unit four hex digits stand for, or -1 when one of them is not a hex digit. */
    static int hex4(int a, int b, int c, int d) {
        int h1 = hex(a);
        int h2 = hex(b);
        int h3 = hex(c);
        int h4 = hex(d);
        return (h1 | h2 | h3 | h4) < 0 ? -1 : h1 << 12 | h2 << 8 | h3 << 4 | h4;
    }
}
