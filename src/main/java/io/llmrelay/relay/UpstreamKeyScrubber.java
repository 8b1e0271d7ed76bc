package io.llmrelay.relay;

import java.nio.charset.StandardCharsets;
import java.util.regex.Pattern;

/**
 * Removes the upstream key from an upstream error body before it reaches the caller. OpenAI's
 * own 401 says "Incorrect API key provided: sk-proj-abc1*****************wxyz": not the whole
 * key, but enough of it that a relay must not hand it to a third party.
 */
final class UpstreamKeyScrubber {
    /** A masked key as providers print them: some key characters around a run of asterisks. */
    private static final Pattern MASKED = Pattern.compile("[A-Za-z0-9_\\-]*\\*{3,}[A-Za-z0-9_\\-]*");
    private static final String REDACTED = "[redacted]";

    private UpstreamKeyScrubber() {}

    static String scrub(String text, String key) {
        if (text == null) {
            return null;
        }
        String out = key == null || key.isEmpty() ? text : text.replace(key, REDACTED);
        return MASKED.matcher(out).replaceAll(REDACTED);
    }

    /** The same for a body; unchanged bytes are returned as they were. */
    static byte[] scrub(byte[] body, String key) {
        String text = new String(body, StandardCharsets.UTF_8);
        String clean = scrub(text, key);
        return clean.equals(text) ? body : clean.getBytes(StandardCharsets.UTF_8);
    }
}
