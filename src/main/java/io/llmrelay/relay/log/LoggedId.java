package io.llmrelay.relay.log;

/**
 * An id that came from outside the relay (a caller's {@code x-request-id}, an upstream's request
 * id header) as it may appear in a log line: 1 to {@value #MAX_CHARS} visible ASCII characters
 * (U+0021 to U+007E), else not at all. A caller choosing its request id cannot make a line long,
 * break it, or slip in characters a log search would trip over; JSON escaping does the rest.
 */
final class LoggedId {
    static final int MAX_CHARS = 128;

    private LoggedId() {}

    /** {@code value} when it qualifies, else null. */
    static String of(String value) {
        if (value == null || value.isEmpty() || value.length() > MAX_CHARS) {
            return null;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x21 || c > 0x7e) {
                return null;
            }
        }
        return value;
    }
}
