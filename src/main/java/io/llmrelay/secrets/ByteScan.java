package io.llmrelay.secrets;

import java.util.function.BooleanSupplier;

/**
 * Scans UTF-8 bytes (a body, an SSE event) as a client would read them: each UTF-8 sequence and,
 * when {@code decodeEscapes}, each JSON escape is one unit that decodes to its chars, and the
 * chars go through the keys' automaton. Escapes are decoded wherever they are, not only inside
 * strings: outside a string valid JSON has no backslash, so this only ever finds more.
 *
 * <p>Two loops. The plain one, for the common case, takes bytes without escapes in valid UTF-8:
 * there a key can only be written one way, so a match's bytes are its UTF-8 length back from where
 * it ends, and nothing is allocated. At a backslash (or anything unusual) the thorough one takes
 * over from where the current partial match began, with a {@link CharFeed} that remembers where
 * each char came from, until no partial match is pending; then the plain one goes on. The
 * thorough one reads everything: bytes that are not valid UTF-8 decode to U+FFFD one
 * by one, an escape that is not one ({@code \x}, a {@code \}{@code u} without four hex digits, a
 * lone backslash at the end) is a plain backslash, and overlong and surrogate UTF-8 forms decode
 * as a lenient client would decode them: that can only find more.
 */
final class ByteScan {
    private static final char REPLACEMENT = '\uFFFD';

    private ByteScan() {}

    /**
     * The ranges of {@code raw} to redact, or null when there are none. One method on purpose: the
     * plain loop's state (position, automaton state, ranges found) lives in locals, which is what
     * keeps it allocation-free under C1; split, it would need a cursor object or packed returns.
     */
    static Redactions scan(byte[] raw, KeyAutomaton keys, boolean decodeEscapes, boolean masked,
            BooleanSupplier outOfTime) throws ScrubTimeoutException {
        if (masked) {
            CharFeed feed = new CharFeed(keys, true, outOfTime);
            for (int i = 0; i < raw.length; ) {
                feed.progress(i);
                i = unit(raw, i, decodeEscapes, feed);
            }
            return feed.finish();
        }
        if (keys.isEmpty()) {
            return null;
        }
        int i = 0;
        int state = 0;
        Redactions found = null;
        CharFeed feed = null;
        long nextCheck = CharFeed.CHECK_EVERY;
        while (i < raw.length) {
            int stop = (int) Math.min(raw.length, nextCheck);
            plain:
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
                        int escape = escapeAt(raw, i);
                        if (keys.next(state, (char) escape) != 0) {
                            break plain; // the escape may be part of a key
                        }
                        // An escape like \n or \" after which nothing of a key is pending: nothing to remember.
                        state = 0;
                        i += escape >>> 16;
                        continue;
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
            if (i < stop) {
                // An escape or unusual UTF-8: read from where the partial match began (from the root, its
                // chars lead back to the same state) until the automaton is back at the root.
                feed = feed != null ? feed : new CharFeed(keys, false, outOfTime);
                i = thorough(raw, i - keys.pathBytes(state), decodeEscapes, feed);
                state = 0;
            } else if (i < raw.length) {
                if (outOfTime.getAsBoolean()) {
                    throw new ScrubTimeoutException();
                }
                nextCheck = (long) i + CharFeed.CHECK_EVERY;
            }
        }
        return Redactions.both(found, feed == null ? null : feed.finish());
    }

    /**
     * Reads units from {@code i} (where nothing of a key is pending) through the one the plain loop
     * stopped at, and on until no partial match is pending; returns where it stopped. Reading the
     * pending chars again cannot take the automaton back to the root, so it always gets past the
     * unit the plain loop could not read.
     */
    private static int thorough(byte[] raw, int i, boolean decodeEscapes, CharFeed feed) throws ScrubTimeoutException {
        do {
            feed.progress(i);
            i = unit(raw, i, decodeEscapes, feed);
        } while (i < raw.length && !feed.atRoot());
        return i;
    }

    /** Feeds the unit at {@code i}; returns where the next one starts. */
    private static int unit(byte[] raw, int i, boolean decodeEscapes, CharFeed feed) {
        int b = raw[i];
        if (b >= 0 && (b != '\\' || !decodeEscapes)) {
            feed.feed((char) b, i, i + 1);
            return i + 1;
        }
        return b >= 0 ? escape(raw, i, feed) : utf8(raw, i, feed);
    }

    /** The escape at {@code i} (a backslash); returns where the next unit starts. */
    private static int escape(byte[] raw, int i, CharFeed feed) {
        int escape = escapeAt(raw, i);
        int end = i + (escape >>> 16);
        feed.feed((char) escape, i, end);
        return end;
    }

    /**
     * What the escape at {@code i} (a backslash) decodes to, as {@code length << 16 | char}: a
     * two-char escape, a {@code \}{@code uXXXX}, or else the backslash alone as a plain char.
     */
    private static int escapeAt(byte[] raw, int i) {
        if (i + 1 < raw.length) {
            int shortForm = JsonEscapes.shortEscape(raw[i + 1]);
            if (shortForm >= 0) {
                return 2 << 16 | shortForm;
            }
            if (raw[i + 1] == 'u' && i + JsonEscapes.UNICODE_LENGTH <= raw.length) {
                int unit = JsonEscapes.hex4(raw[i + 2], raw[i + 3], raw[i + 4], raw[i + 5]);
                if (unit >= 0) {
                    return JsonEscapes.UNICODE_LENGTH << 16 | unit;
                }
            }
        }
        return 1 << 16 | '\\';
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
