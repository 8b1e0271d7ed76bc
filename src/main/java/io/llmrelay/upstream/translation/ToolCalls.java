package io.llmrelay.upstream.translation;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * The tool calls of one stream. Providers number content blocks (text and tool use alike) and
 * OpenAI numbers tool calls only, densely from 0 in order of appearance: the first tool block is
 * index 0 whatever its block number (gateways that pass block numbers through start at 1).
 *
 * <p>Each call's argument fragments are kept until its block ends and then must parse as one JSON
 * object: OpenAI's {@code arguments} is a JSON object in a string, and a client that parses
 * half-streamed garbage fails far from the cause. Invalid input is a {@link StreamFailure}, which
 * the error contract turns into an error the caller sees.
 */
final class ToolCalls {
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    /** A tool call whose block ended: its index, and whether no argument text came at all. */
    record Closed(int index, boolean noArguments) {}

    private final String provider;
    private final Map<Integer, StringBuilder> openByBlock = new HashMap<>();
    private final Map<Integer, Integer> indexByBlock = new HashMap<>();
    private int count;

    ToolCalls(String provider) {
        this.provider = provider;
    }

    int open(int block) throws StreamFailure {
        if (indexByBlock.containsKey(block)) {
            throw StreamFailure.invalid(provider, "a second start for content block " + block);
        }
        indexByBlock.put(block, count);
        openByBlock.put(block, new StringBuilder());
        return count++;
    }

    int append(int block, String fragment) throws StreamFailure {
        StringBuilder arguments = openByBlock.get(block);
        if (arguments == null) {
            throw StreamFailure.invalid(provider, "tool input for content block " + block + ", which is no open tool call");
        }
        arguments.append(fragment);
        return indexByBlock.get(block);
    }

    /** @return the closed call, or null when {@code block} was not a tool call (text, reasoning ...) */
    Closed close(int block) throws StreamFailure {
        StringBuilder arguments = openByBlock.remove(block);
        if (arguments == null) {
            return null;
        }
        int index = indexByBlock.get(block);
        if (arguments.isEmpty()) {
            return new Closed(index, true);
        }
        JsonNode parsed;
        try {
            parsed = STRICT.readTree(arguments.toString());
        } catch (IOException e) {
            parsed = null;
        }
        if (parsed == null || !parsed.isObject()) {
            // The size only: the arguments are the model's words about the caller's data.
            throw StreamFailure.invalid(provider, "tool call input that is not one JSON object ("
                    + arguments.length() + " characters, tool call " + index + ")");
        }
        return new Closed(index, false);
    }
}
