package io.llmrelay.openai;

import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A caller's {@code POST /chat/completions} body, validated only as far as the relay itself
 * depends on it. Everything else (tools, response_format, image parts, vendor fields) passes
 * through untouched: the upstream is the authority on what it accepts, and a relay that
 * second-guesses it breaks whenever the API grows.
 */
public final class ChatCompletionRequest {
    /**
     * Top-level fields voice platforms add to the requests they send a custom LLM (Vapi's
     * {@code call}, {@code phoneNumber}, {@code customer}, {@code metadata}; ElevenLabs'
     * {@code user_id} and {@code elevenlabs_extra_body}); OpenAI rejects unknown parameters and a
     * non-empty {@code metadata} without {@code store}, so they are dropped before the body goes upstream.
     */
    public static final List<String> DEFAULT_DROPPED_FIELDS = List.of("call", "phoneNumber", "customer", "metadata",
            "user_id", "elevenlabs_extra_body");

    private final ObjectNode body;
    /** The body as the caller wrote it, for an upstream copy that keeps every field exactly. */
    private final JsonObjectText text;

    private ChatCompletionRequest(JsonObjectText text) {
        this.body = text.tree();
        this.text = text;
    }

    /**
     * Reads and checks a request body. The body must be UTF-8 (RFC 8259 section 8.1; OpenAI
     * accepts nothing else), checked strictly before parsing: Jackson on its own would guess
     * UTF-16 from NUL bytes and let overlong sequences through, and the relay would then send
     * the upstream something other than what the caller wrote. Nesting beyond Jackson's limit
     * (1000 levels) is refused while parsing, so no body can exhaust the stack. Trailing content
     * after the object means a broken client: refused rather than guessed at.
     */
    public static ChatCompletionRequest parse(byte[] body) throws InvalidRequestException {
        String text = utf8(body);
        JsonObjectText root;
        try {
            root = JsonObjectText.parse(text);
        } catch (StreamConstraintsException e) {
            // Jackson's limits: nesting depth, number length, name length. Its message holds only numbers.
            throw invalid(null, "We could not parse the JSON body of your request: it exceeds a parser limit ("
                    + e.getOriginalMessage().replaceAll(", from `[^`]*`", "") + ").");
        } catch (IOException e) {
            root = null;
        }
        if (root == null) {
            throw invalid(null, "We could not parse the JSON body of your request. The body must be a JSON object"
                    + " (see https://platform.openai.com/docs/api-reference/chat/create).");
        }
        ObjectNode object = root.tree();
        validateMessages(object.get("messages"));
        JsonNode model = present(object, "model");
        if (model != null && !model.isTextual()) {
            throw wrongType("model", "a string", model);
        }
        JsonNode stream = present(object, "stream");
        if (stream != null && !stream.isBoolean()) {
            throw wrongType("stream", "a boolean", stream);
        }
        JsonNode streamOptions = present(object, "stream_options");
        if (streamOptions != null && !streamOptions.isObject()) {
            throw wrongType("stream_options", "an object", streamOptions);
        }
        JsonNode n = present(object, "n");
        if (n != null && !(n.isNumber() && n.canConvertToExactIntegral())) {
            throw wrongType("n", "an integer", n);
        }
        if (n != null && n.decimalValue().compareTo(BigDecimal.ONE) < 0) {
            throw invalid("n", "Invalid 'n': integer below minimum value. Expected a value >= 1, but got "
                    + n.asText() + " instead.");
        }
        return new ChatCompletionRequest(root);
    }

    /** The body as text; a leading byte order mark is tolerated (some Windows tools write one). */
    private static String utf8(byte[] body) throws InvalidRequestException {
        try {
            String text = StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(body))
                    .toString();
            return text.startsWith("\uFEFF") ? text.substring(1) : text;
        } catch (CharacterCodingException e) {
            throw invalid(null, "The request body is not valid UTF-8. Send the JSON body encoded as UTF-8.");
        }
    }

    /** The requested model, or null when the caller named none (the route then decides). */
    public String model() {
        JsonNode model = present(body, "model");
        return model == null ? null : model.asText();
    }

    public boolean stream() {
        return body.path("stream").asBoolean(false);
    }

    /** True when the caller asked for the final usage chunk ({@code stream_options.include_usage}). */
    public boolean includeUsage() {
        JsonNode include = body.path("stream_options").path("include_usage");
        return include.isBoolean() && include.booleanValue();
    }

    /**
     * The body to send upstream: {@code model} set to {@code upstreamModel} (left as the caller
     * sent it when that is null) and the named top-level fields removed; every other field is the
     * caller's text, character for character ({@link JsonObjectText}). This request is not changed.
     */
    public byte[] toUpstreamBody(String upstreamModel, Collection<String> dropFields) {
        return text.rewrite(upstreamModel, dropFields, false);
    }

    /**
     * As {@link #toUpstreamBody(String, Collection)}, and when {@code askUsage} and
     * {@link #needsUsageAsked} say so, with {@code stream_options.include_usage} set to {@code true}:
     * merged into the caller's {@code stream_options} (its other members as the caller wrote them)
     * or added as the last member. Nothing else differs from the plain body.
     */
    public byte[] toUpstreamBody(String upstreamModel, Collection<String> dropFields, boolean askUsage) {
        return text.rewrite(upstreamModel, dropFields, askUsage && needsUsageAsked(dropFields));
    }

    /**
     * Whether the relay has to ask for usage itself to know this request's token counts: a stream
     * whose caller did not set {@code stream_options.include_usage} to true, on a route that does
     * not drop {@code stream_options} (a route that drops it has an upstream that refuses it).
     */
    public boolean needsUsageAsked(Collection<String> dropFields) {
        return stream() && !includeUsage()
                && (dropFields == null || !dropFields.contains(JsonObjectText.STREAM_OPTIONS));
    }

    /**
     * A top-level field as the relay read it, or null when absent. The tree is the request's own:
     * read it, never change it (the request is shared by every route and retry).
     */
    public JsonNode field(String name) {
        return body.get(name);
    }

    /** Each of {@code messages} as the caller wrote it, in order (the array is checked to exist by {@link #parse}). */
    public List<String> messageTexts() {
        try {
            return JsonArrayText.elements(text.valueText("messages"));
        } catch (IOException e) {
            throw new IllegalStateException("the request's messages, parsed once, no longer parse", e);
        }
    }

    /**
     * A copy of this request whose named top-level fields have the given JSON text as their value
     * (added when absent); every other field keeps the caller's text exactly. This request is not
     * changed. For the relay's own edits (a route's transform), whose values are JSON it wrote.
     */
    public ChatCompletionRequest withValues(Map<String, String> values) {
        try {
            return new ChatCompletionRequest(text.withValues(values));
        } catch (IOException e) {
            throw new IllegalArgumentException("an edit of the request is not JSON", e);
        }
    }

    private static void validateMessages(JsonNode messages) throws InvalidRequestException {
        if (messages == null || messages.isNull()) {
            throw invalid("messages", "Missing required parameter: 'messages'.");
        }
        if (!messages.isArray()) {
            throw wrongType("messages", "an array", messages);
        }
        if (messages.isEmpty()) {
            throw invalid("messages", "Invalid 'messages': empty array. Expected an array with minimum length 1,"
                    + " but got an empty array instead.");
        }
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String at = "messages[" + i + "]";
            if (!message.isObject()) {
                throw wrongType(at, "an object", message);
            }
            JsonNode role = message.get("role");
            if (role == null || role.isNull()) {
                throw invalid(at + ".role", "Missing required parameter: '" + at + ".role'.");
            }
            if (!role.isTextual()) {
                throw wrongType(at + ".role", "a string", role);
            }
        }
    }

    /** A field that is absent or JSON null counts as not given, as the OpenAI SDKs treat it. */
    private static JsonNode present(ObjectNode object, String field) {
        JsonNode value = object.get(field);
        return value == null || value.isNull() ? null : value;
    }

    private static InvalidRequestException wrongType(String param, String expected, JsonNode actual) {
        return invalid(param, "Invalid type for '" + param + "': expected " + expected + ", but got "
                + describe(actual) + " instead.");
    }

    private static String describe(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            case STRING -> "a string";
            case BOOLEAN -> "a boolean";
            case NUMBER -> node.isIntegralNumber() ? "an integer" : "a decimal";
            case NULL -> "null";
            default -> "a " + node.getNodeType().name().toLowerCase(Locale.ROOT);
        };
    }

    private static InvalidRequestException invalid(String param, String message) {
        return new InvalidRequestException(OpenAiError.invalidRequest(param, message));
    }
}
