package io.llmrelay.secrets;

import java.util.function.BooleanSupplier;

/**
 * Scans UTF-8 bytes (a body, an SSE event) as a client would read them: each UTF-8 sequence and,
 * when {@code decodeEscapes}, each JSON escape is one unit that decodes to its chars, and the
 * chars go through the keys' automaton. Escapes are decoded wherever they are, not only inside
 * strings: outside a string valid JSON has no backslash, so this only ever finds more.
 *
 * <p>Two loops. The first, for the common case, takes bytes without escapes in valid UTF-8: there
 * a key can only be written one way, so a match's bytes are its UTF-8 length back from where it
 * ends, and nothing is allocated. At the first backslash (or anything unusual) the second takes
 * over from where the current partial match began, with a {@link CharFeed} that remembers where
 * each char came from. It reads everything: bytes that are not valid UTF-8 decode to U+FFFD one
 * by one, an escape that is not one ({@code \x}, a {@code \}{@code u} without four hex digits, a
 * lone backslash at the end) is a plain backslash, and overlong and surrogate UTF-8 forms decode
 * as a lenient client would decode them: that can only find more.
 */
final class ByteScan {
    private static final char REPLACEMENT = '\uFFFD';

    private ByteScan() {}

    /** The ranges of {@code raw} to redact, or null when there are none. */
    static Redactions scan(byte[] raw, KeyAutomaton keys, boolean decodeEscapes, boolean masked,
            BooleanSupplier outOfTime) throws ScrubTimeoutException {
        if (masked) {
            return units(raw, 0, decodeEscapes, new CharFeed(keys, true, outOfTime, null));
        }
        if (keys.isEmpty()) {
            return null;
        }
        int i = 0;
        int state = 0;
        Redactions found = null;
        long nextCheck = CharFeed.CHECK_EVERY;
        plain:
        while (true) {
            int stop = (int) Math.min(raw.length, nextCheck);
            while (i < stop) {
                if (state == 0) {
                    while (i < stop && raw[i] >= 0 && keys.quietAtRoot(raw[i])) {
                        i++;
                    }
                    if (i == stop) {
                        break;
                    }
                }
                int b = raw[i];
                if (b >= 0) {
                    if (b == '\\' && decodeEscapes) {
                        break plain;
                    }
                    state = keys.next(state, (char) b);
                    i++;
                } else {
                    int codePoint = keys.wellFormed() ? Utf8.strict(raw, i) : -1;
                    if (codePoint < 0) {
                        break plain;
                    }
                    i += Utf8.length(codePoint);
                    if (codePoint < Character.MIN_SUPPLEMENTARY_CODE_POINT) {
                        state = keys.next(state, (char) codePoint);
                    } else {
                        state = keys.next(keys.next(state, Character.highSurrogate(codePoint)), Character.lowSurrogate(codePoint));
                    }
                }
                int bytes = keys.matchBytes(state);
                if (bytes != 0) {
                    found = Redactions.add(found, i - bytes, i);
                }
            }
            if (i >= raw.length) {
                return found;
            }
            if (i >= nextCheck) {
                if (outOfTime.getAsBoolean()) {
                    throw new ScrubTimeoutException();
                }
                nextCheck += CharFeed.CHECK_EVERY;
            }
        }
        // Read again from where the partial match began: from the root, its chars lead to the same state.
        return units(raw, i - keys.pathBytes(state), decodeEscapes, new CharFeed(keys, false, outOfTime, found));
    }

    private static Redactions units(byte[] raw, int i, boolean decodeEscapes, CharFeed feed) throws ScrubTimeoutException {
        while (i < raw.length) {
            feed.progress(i);
            int b = raw[i];
            if (b >= 0 && (b != '\\' || !decodeEscapes)) {
                feed.feed((char) b, i, i + 1);
                i++;
            } else if (b >= 0) {
                i = escape(raw, i, feed);
            } else {
                i = utf8(raw, i, feed);
            }
        }
        return feed.finish();
    }

    /** The escape at {@code i} (a backslash); returns where the next unit starts. */
    private static int escape(byte[] raw, int i, CharFeed feed) {
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

    /** The UTF-8 sequence led by the byte at {@code i} (not ASCII), read leniently; returns where the next unit starts. */
    private static int utf8(byte[] raw, int i, CharFeed feed) {
        int codePoint = Utf8.lenient(raw, i);
        if (codePoint < 0) {
            feed.feed(REPLACEMENT, i, i + 1);
            return i + 1;
        }
        int end = i + Utf8.sequenceLength(raw[i]);
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
