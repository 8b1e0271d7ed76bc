package io.llmrelay.secrets;

import java.util.function.BooleanSupplier;

/**
 * Scans text (an error message, a log line) the way {@link ByteScan} scans bytes: each char is a
 * unit, and so is each JSON escape when {@code decodeEscapes}, because text often quotes JSON (an
 * exception message with a response body in it). Not on the per-event path, so no fast path.
 */
final class TextScan {
    private TextScan() {}

    /** The char ranges of {@code text} to redact, or null when there are none. */
    static Redactions scan(String text, KeyAutomaton keys, boolean decodeEscapes, boolean masked,
            BooleanSupplier outOfTime) throws ScrubTimeoutException {
        if (keys.isEmpty() && !masked) {
            return null;
        }
        CharFeed feed = new CharFeed(keys, masked, outOfTime);
        int length = text.length();
        int i = 0;
        while (i < length) {
            feed.progress(i);
            char c = text.charAt(i);
            if (c == '\\' && decodeEscapes) {
                i = escape(text, i, feed);
            } else {
                feed.feed(c, i, i + 1);
                i++;
            }
        }
        return feed.finish();
    }

    /** The escape at {@code i} (a backslash); returns where the next unit starts. */
    private static int escape(String text, int i, CharFeed feed) {
        if (i + 1 < text.length()) {
            int shortForm = JsonEscapes.shortEscape(text.charAt(i + 1));
            if (shortForm >= 0) {
                feed.feed((char) shortForm, i, i + 2);
                return i + 2;
            }
            if (text.charAt(i + 1) == 'u' && i + JsonEscapes.UNICODE_LENGTH <= text.length()) {
                int unit = JsonEscapes.hex4(text.charAt(i + 2), text.charAt(i + 3), text.charAt(i + 4), text.charAt(i + 5));
                if (unit >= 0) {
                    feed.feed((char) unit, i, i + JsonEscapes.UNICODE_LENGTH);
                    return i + JsonEscapes.UNICODE_LENGTH;
                }
            }
        }
        feed.feed('\\', i, i + 1);
        return i + 1;
    }
}
