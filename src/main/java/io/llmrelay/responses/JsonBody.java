package io.llmrelay.responses;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A request body read as one JSON object, by the same rules as {@code POST /chat/completions}
 * ({@link io.llmrelay.openai.ChatCompletionRequest}): strictly UTF-8 (RFC 8259 section 8.1), a
 * leading byte order mark tolerated, nothing after the object, Jackson's nesting and size limits.
 */
final class JsonBody {
    private static final ObjectReader STRICT = Json.MAPPER.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);

    private JsonBody() {}

    static ObjectNode read(byte[] body) throws InvalidRequestException {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
        } catch (CharacterCodingException e) {
            throw Params.invalid(null, "The request body is not valid UTF-8. Send the JSON body encoded as UTF-8.");
        }
        if (text.startsWith("\uFEFF")) {
            text = text.substring(1);
        }
        JsonNode root;
        try {
            root = STRICT.readTree(text);
        } catch (StreamConstraintsException e) {
            // Jackson's limits: nesting depth, number length, name length. Its message holds only numbers.
            throw Params.invalid(null, "We could not parse the JSON body of your request: it exceeds a parser limit ("
                    + e.getOriginalMessage().replaceAll(", from `[^`]*`", "") + ").");
        } catch (IOException e) {
            root = null;
        }
        if (root == null || !root.isObject()) {
            throw Params.invalid(null, "We could not parse the JSON body of your request. The body must be a JSON object"
                    + " (see https://developers.openai.com/api/reference/resources/responses/methods/create).");
        }
        return (ObjectNode) root;
    }
}
