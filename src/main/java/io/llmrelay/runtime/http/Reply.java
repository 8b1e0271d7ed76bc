package io.llmrelay.runtime.http;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * One HTTP/1.1 reply, read whole.
 *
 * @param headers  by lower-case name; a repeated field's values joined with ", "
 * @param reusable false when the server said it closes the connection after this reply
 */
public record Reply(int status, Map<String, String> headers, byte[] body, boolean reusable) {

    /** The value of the field {@code name} (any case), or null. */
    public String header(String name) {
        return headers.get(name.toLowerCase(Locale.ROOT));
    }

    /** The body for an error message: on one line, at most 500 characters. */
    public String bodyText() {
        String text = new String(body, StandardCharsets.UTF_8).replaceAll("\\s+", " ").strip();
        return text.length() > 500 ? text.substring(0, 500) + "..." : text;
    }
}
