package io.llmrelay.testing;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether a text (a response body, an SSE event, a log line) holds a key in any form a reader
 * could turn back into it: as it is; in any JSON string of it, decoded by Jackson; and, for
 * text that is not JSON, with its JSON escapes decoded by the few lines below (RFC 8259,
 * section 7), which are kept apart from the relay's own scrubber on purpose.
 */
public final class LeakCheck {
    private LeakCheck() {}

    /** Where {@code text} shows {@code key}, or null when it does not. */
    public static String findKey(String text, String key) {
        return findAny(text, List.of(key));
    }

    /** Where {@code text} shows one of {@code keys} (decoding it once for all), or null when it shows none. */
    public static String findAny(String text, List<String> keys) {
        String decoded = looselyDecoded(text);
        List<String> strings = new ArrayList<>();
        for (String json : jsonParts(text)) {
            strings.addAll(jsonStrings(json));
        }
        for (String key : keys) {
            if (text.contains(key)) {
                return "key " + key + " as it is";
            }
            if (decoded.contains(key)) {
                return "key " + key + " with JSON escapes decoded";
            }
            for (String string : strings) {
                if (string.contains(key)) {
                    return "key " + key + " in a JSON string: " + string;
                }
            }
        }
        return null;
    }

    /**
     * The JSON documents in {@code text}: the text itself, each SSE {@code data:} payload, and
     * each line, whichever parse.
     */
    private static List<String> jsonParts(String text) {
        List<String> parts = new ArrayList<>();
        parts.add(text);
        for (String line : text.split("\r\n|\r|\n")) {
            parts.add(line.startsWith("data: ") ? line.substring(6) : line);
        }
        return parts;
    }

    /** Every string (names and values) of {@code json} as Jackson decodes it; none when it is not JSON. */
    static List<String> jsonStrings(String json) {
        List<String> strings = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.createParser(json)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.FIELD_NAME || token == JsonToken.VALUE_STRING) {
                    strings.add(parser.getText());
                }
            }
        } catch (IOException e) {
            // Not JSON (or only partly): the raw and loosely decoded searches still cover it.
        }
        return strings;
    }

    /** {@code text} with each JSON escape replaced by its char; anything else, broken escapes included, as it is. */
    static String looselyDecoded(String text) {
        StringBuilder out = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c != '\\' || i + 1 >= text.length()) {
                out.append(c);
                continue;
            }
            char next = text.charAt(i + 1);
            String shortForms = "\"\\/bfnrt";
            String decoded = "\"\\/\b\f\n\r\t";
            if (shortForms.indexOf(next) >= 0) {
                out.append(decoded.charAt(shortForms.indexOf(next)));
                i++;
            } else if (next == 'u' && i + 6 <= text.length() && text.substring(i + 2, i + 6).matches("[0-9a-fA-F]{4}")) {
                out.append((char) Integer.parseInt(text.substring(i + 2, i + 6), 16));
                i += 5;
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
