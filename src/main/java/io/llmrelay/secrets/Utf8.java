package io.llmrelay.secrets;

/**
 * Reading one UTF-8 sequence (RFC 3629, https://www.rfc-editor.org/rfc/rfc3629#section-4) two
 * ways: strictly, as the only form a key can take in the scrubber's fast path, and leniently,
 * as a forgiving client might, for the thorough path.
 */
final class Utf8 {
    private Utf8() {}

    /** How many bytes the sequence led by {@code lead} takes by its lead byte's bits; 0 for a byte that leads none. */
    static int sequenceLength(byte lead) {
        int b = lead & 0xFF;
        return b < 0x80 ? 1 : b < 0xC0 ? 0 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : b < 0xF8 ? 4 : 0;
    }

    /** Bytes of {@code codePoint} in UTF-8. */
    static int length(int codePoint) {
        return codePoint < 0x80 ? 1 : codePoint < 0x800 ? 2 : codePoint < 0x10000 ? 3 : 4;
    }

    /**
     * The code point of the sequence at {@code i}, whatever its value (overlong, a surrogate, past
     * U+10FFFF), as long as the lead byte's bits and the continuation bytes agree; else -1.
     */
    static int lenient(byte[] raw, int i) {
        int length = sequenceLength(raw[i]);
        if (length < 2 || i + length > raw.length) {
            return -1;
        }
        int codePoint = raw[i] & (0x7F >> length);
        for (int k = 1; k < length; k++) {
            if ((raw[i + k] & 0xC0) != 0x80) {
                return -1;
            }
            codePoint = codePoint << 6 | (raw[i + k] & 0x3F);
        }
        return codePoint;
    }

    /** As {@link #lenient}, but -1 also for an overlong form, a surrogate or a value past U+10FFFF. */
    static int strict(byte[] raw, int i) {
        int codePoint = lenient(raw, i);
        boolean valid = codePoint >= 0 && length(codePoint) == sequenceLength(raw[i])
                && (codePoint < Character.MIN_SURROGATE || codePoint > Character.MAX_SURROGATE)
                && codePoint <= Character.MAX_CODE_POINT;
        return valid ? codePoint : -1;
    }
}
