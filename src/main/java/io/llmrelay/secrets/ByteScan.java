package io.llmrelay.secrets;

import java.util.function.BooleanSupplier;

/**
 * Scans UTF-8 bytes (a body, an SSE event) as a client would read them: each UTF-8 sequence and,
 * when {@code decodeEscapes}, each JSON escape is one unit that decodes to its chars, and the
 * chars go to a {@link CharFeed}. Escapes are decoded wherever they are, not only inside
 * strings: outside a string valid JSON has no backslash, so this only ever finds more.
 *
 * <p>Bytes that are not valid UTF-8 decode to U+FFFD one by one, an escape that is not one
 * ({@code \x}, a {@code \}{@code u} without four hex digits, a lone backslash at the end) is a
 * plain backslash; neither stops the scan. Overlong and surrogate UTF-8 forms are decoded as if
 * they were valid, as a lenient client would: that can only find more.
 */
final class ByteScan {
    private static final char REPLACEMENT = '\uFFFD';

    private final byte[] raw;
    private final boolean decodeEscapes;
    private final CharFeed feed;

    private ByteScan(byte[] raw, boolean decodeEscapes, CharFeed feed) {
        this.raw = raw;
        this.decodeEscapes = decodeEscapes;
        this.feed = feed;
    }

    /** The ranges of {@code raw} to redact, or null when there are none. */
    static Redactions scan(byte[] raw, KeyAutomaton keys, boolean decodeEscapes, boolean masked,
            BooleanSupplier outOfTime) throws ScrubTimeoutException {
        int i = 0;
        int state = 0;
        Redactions found = null;
        if (!masked) {
            if (keys.isEmpty()) {
                return null;
            }
            // The common case, allocation-free: ASCII without backslashes, where byte i is char i.
            long nextCheck = CharFeed.CHECK_EVERY;
            fast:
            while (true) {
                for (int stop = (int) Math.min(raw.length, nextCheck); i < stop; i++) {
                    int b = raw[i];
                    if (b < 0 || (b == '\\' && decodeEscapes)) {
                        break fast;
                    }
                    state = keys.next(state, (char) b);
                    int length = keys.matchLength(state);
                    if (length != 0) {
                        found = Redactions.add(found, i + 1 - length, i + 1);
                    }
                }
                if (i >= raw.length) {
                    return found;
                }
                if (outOfTime.getAsBoolean()) {
                    throw new ScrubTimeoutException();
                }
                nextCheck += CharFeed.CHECK_EVERY;
            }
        }
        ByteScan scan = new ByteScan(raw, decodeEscapes, new CharFeed(keys, masked, outOfTime, i, state, found));
        scan.units(i);
        return scan.feed.finish();
    }

    private void units(int i) throws ScrubTimeoutException {
        while (i < raw.length) {
            feed.progress(i);
            int b = raw[i];
            if (b >= 0 && (b != '\\' || !decodeEscapes)) {
                feed.feed((char) b, i, i + 1);
                i++;
            } else if (b >= 0) {
                i = escape(i);
            } else {
                i = utf8(i);
            }
        }
    }

    /** The escape at {@code i} (a backslash); returns where the next unit starts. */
    private int escape(int i) {
        if (i + 1 < raw.length) {
            int shortForm = JsonEscapes.shortEscape(raw[i + 1]);
            if (shortForm >= 0) {
                feed.feed((char) shortForm, i, i + 2);
                return i + 2;
            }
            if (raw[i + 1] == 'u' && i + JsonEscapes.UNICODE_LENGTH <= raw.length) {
                int unit = JsonEscapes.hex4(raw[i + 2], raw[i + 3], raw[i + 4], raw[i + 5]);
                if (unit >= 0) {
                    feed.feed((char) unit, i, i + JsonEscapes.UNICODE_LENGTH);
                    return i + JsonEscapes.UNICODE_LENGTH;
                }
            }
        }
        feed.feed('\\', i, i + 1);
        return i + 1;
    }

    /** The UTF-8 sequence led by the byte at {@code i} (not ASCII); returns where the next unit starts. */
    private int utf8(int i) {
        int lead = raw[i] & 0xFF;
        int length = lead >= 0xF8 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 0;
        if (length == 0 || i + length > raw.length) {
            feed.feed(REPLACEMENT, i, i + 1);
            return i + 1;
        }
        int codePoint = lead & (0x7F >> length);
        for (int k = 1; k < length; k++) {
            int next = raw[i + k];
            if ((next & 0xC0) != 0x80) {
                feed.feed(REPLACEMENT, i, i + 1);
                return i + 1;
            }
            codePoint = codePoint << 6 | (next & 0x3F);
        }
        int end = i + length;
        if (codePoint < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
            feed.feed((char) codePoint, i, end);
        } else if (codePoint <= Character.MAX_CODE_POINT) {
            feed.feed(Character.highSurrogate(codePoint), i, end);
            feed.feed(Character.lowSurrogate(codePoint), i, end);
        } else {
            feed.feed(REPLACEMENT, i, end);
        }
        return end;
    }
}
