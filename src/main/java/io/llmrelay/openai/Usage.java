package io.llmrelay.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * Token counts as an answer reported them in OpenAI's {@code usage} object
 * (https://platform.openai.com/docs/api-reference/chat/object, {@code usage.prompt_tokens} and
 * {@code usage.completion_tokens}), the same in a whole {@code chat.completion} and in a stream's
 * usage chunk. A count that was not reported, or is not a whole number from 0 to
 * {@link Long#MAX_VALUE}, is empty: never estimated, never taken from anywhere else.
 */
public record Usage(OptionalLong promptTokens, OptionalLong completionTokens) {
    public static final Usage UNKNOWN = new Usage(OptionalLong.empty(), OptionalLong.empty());

    public Usage {
        promptTokens = promptTokens == null ? OptionalLong.empty() : promptTokens;
        completionTokens = completionTokens == null ? OptionalLong.empty() : completionTokens;
    }

    public static Usage of(long prompt, long completion) {
        return new Usage(OptionalLong.of(prompt), OptionalLong.of(completion));
    }

    /** Whether either count is known. */
    public boolean reported() {
        return promptTokens.isPresent() || completionTokens.isPresent();
    }

    /** A later report over this one, count by count: what {@code later} says wins, what it leaves out stays. */
    public Usage then(Usage later) {
        return new Usage(later.promptTokens.isPresent() ? later.promptTokens : promptTokens,
                later.completionTokens.isPresent() ? later.completionTokens : completionTokens);
    }

    /** The counts of a {@code usage} object; {@link #UNKNOWN} when it is absent or not an object. */
    public static Usage fromObject(JsonNode usage) {
        if (usage == null || !usage.isObject()) {
            return UNKNOWN;
        }
        return new Usage(count(usage.get("prompt_tokens")), count(usage.get("completion_tokens")));
    }

    /** The top-level {@code usage} of one JSON object (a chunk or a whole answer); {@link #UNKNOWN} if none or not JSON. */
    public static Usage in(String json) {
        try (JsonParser parser = Json.MAPPER.createParser(json)) {
            return topLevel(parser);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /** As {@link #in(String)}, for a body's bytes (UTF-8). */
    public static Usage in(byte[] json) {
        try (JsonParser parser = Json.MAPPER.createParser(json)) {
            return topLevel(parser);
        } catch (IOException e) {
            return UNKNOWN;
        }
    }

    /**
     * Walks the top-level members only, skipping every other value unread, so that a whole answer
     * of megabytes is not turned into a tree to find one small object.
     */
    private static Usage topLevel(JsonParser parser) throws IOException {
        if (parser.nextToken() != JsonToken.START_OBJECT) {
            return UNKNOWN;
        }
        Usage found = UNKNOWN;
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String name = parser.currentName();
            JsonToken value = parser.nextToken();
            if (!name.equals("usage")) {
                parser.skipChildren();
            } else if (value == JsonToken.START_OBJECT) {
                found = fromObject(Json.MAPPER.readTree(parser)); // the last one counts, as a JSON reader keeps it
            } else {
                found = UNKNOWN;
                parser.skipChildren();
            }
        }
        return found;
    }

    private static OptionalLong count(JsonNode value) {
        if (value == null || !value.isIntegralNumber() || !value.canConvertToLong() || value.asLong() < 0) {
            return OptionalLong.empty();
        }
        return OptionalLong.of(value.asLong());
    }
}
