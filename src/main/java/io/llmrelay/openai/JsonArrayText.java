package io.llmrelay.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A JSON array's text cut into its elements' texts, each exactly as written (whitespace around
 * them left out), so that an edited array can be made of the caller's own characters for every
 * element it keeps.
 */
final class JsonArrayText {
    private JsonArrayText() {}

    /**
     * @param arrayText one JSON array, already known to be valid JSON (the request parsed)
     * @return each element's text, in order
     */
    static List<String> elements(String arrayText) throws IOException {
        List<String> elements = new ArrayList<>();
        try (JsonParser parser = Json.MAPPER.createParser(arrayText)) {
            if (parser.nextToken() != JsonToken.START_ARRAY) {
                throw new IOException("not a JSON array");
            }
            int start = -1;
            for (JsonToken token = parser.nextToken(); ; token = parser.nextToken()) {
                int at = (int) parser.currentTokenLocation().getCharOffset();
                if (start >= 0) {
                    // The element before this token ends where JsonObjectText finds a member's end:
                    // back over whitespace, one comma, whitespace.
                    elements.add(arrayText.substring(start, JsonObjectText.valueEnd(arrayText, at)));
                }
                if (token == JsonToken.END_ARRAY || token == null) {
                    return elements;
                }
                start = at;
                parser.skipChildren();
            }
        }
    }
}
