package io.llmrelay.upstream.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatSse;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.openai.Usage;
import io.llmrelay.upstream.StreamItem;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Reads an OpenAI-compatible upstream's SSE {@code data} payloads as {@link StreamItem}s.
 *
 * <p>A chunk that already carries {@code id}, {@code object}, {@code created} and {@code model}
 * is passed on as the very string the upstream sent: the relay must not reorder, round or drop
 * anything a client may depend on (tool-call deltas, logprobs, vendor fields). Only a chunk that
 * lacks one of them (some OpenAI-compatible servers omit them, and strict clients such as the
 * OpenAI SDKs reject such chunks) is completed from this stream's defaults and re-serialised.
 * Checking is a token scan ({@link ChunkScan}), not a tree build, because it runs once per token.
 *
 * <p>One decoder belongs to one stream (its fallback id and timestamp are that stream's).
 */
public final class ChunkDecoder {
    public static final String CHUNK_OBJECT = "chat.completion.chunk";
    /** An error inside a stream has no HTTP status of its own; it is the upstream failing, hence 502. */
    static final int IN_STREAM_ERROR_STATUS = 502;

    static final int HAS_ID = 1;
    static final int HAS_OBJECT = 2;
    static final int HAS_CREATED = 4;
    static final int HAS_MODEL = 8;
    private static final int HAS_ALL = HAS_ID | HAS_OBJECT | HAS_CREATED | HAS_MODEL;
    static final int HAS_ERROR = 16;
    /** A {@code usage} object (OpenAI's {@code "usage":null} on the other chunks is no usage). */
    static final int HAS_USAGE = 32;
    /** {@code "choices": []} (the last {@code choices}, when there are several): OpenAI's usage chunk has it. */
    static final int HAS_EMPTY_CHOICES = 64;
    static final int NOT_AN_OBJECT = -1;

    private final String fallbackId;
    private final long createdEpochSeconds;
    private final String model;
    private final boolean hideUsageChunk;
    private Usage usage = Usage.UNKNOWN;

    /**
     * @param fallbackId          the {@code id} for chunks without one, e.g. {@code chatcmpl-<request id>}
     * @param createdEpochSeconds the {@code created} for chunks without one: the stream's start
     * @param model               the {@code model} for chunks without one: the model the request is for
     */
    public ChunkDecoder(String fallbackId, long createdEpochSeconds, String model) {
        this(fallbackId, createdEpochSeconds, model, false);
    }

    /**
     * @param hideUsageChunk the relay asked for usage and the caller did not: a chunk that only
     *                       reports usage is read and not passed on (see {@link #decode})
     */
    public ChunkDecoder(String fallbackId, long createdEpochSeconds, String model, boolean hideUsageChunk) {
        this.fallbackId = Objects.requireNonNull(fallbackId, "fallbackId");
        this.createdEpochSeconds = createdEpochSeconds;
        this.model = Objects.requireNonNull(model, "model");
        this.hideUsageChunk = hideUsageChunk;
    }

    /** A decoder whose fallback id is {@code chatcmpl-<requestId>}. */
    public static ChunkDecoder forRequest(String requestId, long createdEpochSeconds, String model) {
        return forRequest(requestId, createdEpochSeconds, model, false);
    }

    /** As {@link #forRequest(String, long, String)}, hiding the usage chunk when {@code hideUsageChunk}. */
    public static ChunkDecoder forRequest(String requestId, long createdEpochSeconds, String model,
            boolean hideUsageChunk) {
        return new ChunkDecoder("chatcmpl-" + requestId, createdEpochSeconds, model, hideUsageChunk);
    }

    /** The token counts this stream's chunks reported so far, the latest report winning count by count. */
    public Usage usage() {
        return usage;
    }

    /**
     * Reads one upstream {@code data} payload (never empty: the stream skips those).
     *
     * <p>Usage is read from every chunk that has a {@code usage} object: OpenAI sends it on a last
     * chunk of its own, with {@code "choices": []}
     * (https://platform.openai.com/docs/api-reference/chat/create, {@code stream_options.include_usage}),
     * some OpenAI-compatible servers on their last content chunk. When the relay asked for usage that
     * the caller did not, exactly a chunk with a {@code usage} object and {@code "choices": []} is
     * held back, as a {@link StreamItem.Heartbeat}: the chunk the caller would not have got. Any
     * other chunk goes on whole, usage and all, because dropping content, or cutting the usage out
     * of the upstream's bytes, would change what the caller hears.
     */
    public StreamItem decode(String data) {
        if (isDone(data)) {
            return StreamItem.END;
        }
        int scan = scan(data);
        if (scan == NOT_AN_OBJECT) {
            return new StreamItem.Failure(OpenAiError.upstreamInvalidResponse(
                    "The upstream sent an event that is not a JSON object (" + data.length()
                            + " characters); the stream cannot be relayed further."), false);
        }
        if ((scan & HAS_ERROR) != 0) {
            return new StreamItem.Failure(readError(data), true);
        }
        if ((scan & HAS_USAGE) != 0) {
            usage = usage.then(Usage.in(data));
            if (hideUsageChunk && (scan & HAS_EMPTY_CHOICES) != 0) {
                return StreamItem.HEARTBEAT;
            }
        }
        if ((scan & HAS_ALL) == HAS_ALL && data.indexOf('\n') < 0) {
            return new StreamItem.Chunk(data);
        }
        // Missing fields, or pretty-printed JSON whose newlines would break the SSE framing.
        return new StreamItem.Chunk(Json.write(complete(data)));
    }

    private static boolean isDone(String data) {
        return data.equals(ChatSse.DONE_DATA) || (data.length() < 16 && data.strip().equals(ChatSse.DONE_DATA));
    }

    /** Which of the interesting top-level fields are present and not null, or NOT_AN_OBJECT. */
    static int scan(String data) {
        int fast = ChunkScan.topLevelFields(data);
        return fast != ChunkScan.UNSURE ? fast : scanWithJackson(data);
    }

    /**
     * The reference scan, and the judge of everything {@link ChunkScan} is not sure about
     * (escaped field names, very deep nesting, anything that is not strict JSON).
     */
    static int scanWithJackson(String data) {
        try (JsonParser parser = Json.MAPPER.createParser(data)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return NOT_AN_OBJECT;
            }
            int seen = 0;
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String name = parser.currentName();
                JsonToken value = parser.nextToken();
                if (value != JsonToken.VALUE_NULL) {
                    seen |= switch (name) {
                        case "id" -> HAS_ID;
                        case "object" -> HAS_OBJECT;
                        case "created" -> HAS_CREATED;
                        case "model" -> HAS_MODEL;
                        case "error" -> value == JsonToken.START_OBJECT || value == JsonToken.VALUE_STRING ? HAS_ERROR : 0;
                        case "usage" -> value == JsonToken.START_OBJECT ? HAS_USAGE : 0;
                        default -> 0;
                    };
                    if (name.equals("choices")) { // the last one decides, as it does for a JSON reader
                        seen = readEmptyArray(parser, value) ? seen | HAS_EMPTY_CHOICES : seen & ~HAS_EMPTY_CHOICES;
                    }
                }
                parser.skipChildren();
            }
            // The loop ends on END_OBJECT for valid JSON; more tokens after it mean it was not one object.
            return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? seen : NOT_AN_OBJECT;
        } catch (IOException e) {
            return NOT_AN_OBJECT;
        }
    }

    /** Whether the value just read is {@code []}; an array is read to its end either way. */
    private static boolean readEmptyArray(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.START_ARRAY) {
            return false;
        }
        JsonToken next = parser.nextToken();
        if (next == JsonToken.END_ARRAY) {
            return true;
        }
        while (next != null && next != JsonToken.END_ARRAY) {
            parser.skipChildren();
            next = parser.nextToken();
        }
        if (next == null) {
            throw new IOException("the array does not end");
        }
        return false;
    }

    private static OpenAiError readError(String data) {
        JsonNode error = readTree(data).get("error");
        if (error.isTextual()) {
            return new OpenAiError(IN_STREAM_ERROR_STATUS, error.asText(), OpenAiError.API_ERROR, null, null);
        }
        return OpenAiError.fromErrorObject(IN_STREAM_ERROR_STATUS, error);
    }

    /** The chunk with the four identifying fields first, as OpenAI orders them, each filled in if missing. */
    private ObjectNode complete(String data) {
        ObjectNode source = (ObjectNode) readTree(data);
        ObjectNode out = Json.object();
        setOrDefault(out, source, "id", fallbackId);
        setOrDefault(out, source, "object", CHUNK_OBJECT);
        JsonNode created = source.get("created");
        if (created == null || created.isNull()) {
            out.put("created", createdEpochSeconds);
        } else {
            out.set("created", created);
        }
        setOrDefault(out, source, "model", model);
        for (Map.Entry<String, JsonNode> field : source.properties()) {
            if (!out.has(field.getKey())) {
                out.set(field.getKey(), field.getValue());
            }
        }
        return out;
    }

    private static void setOrDefault(ObjectNode out, ObjectNode source, String field, String fallback) {
        JsonNode value = source.get(field);
        if (value == null || value.isNull()) {
            out.put(field, fallback);
        } else {
            out.set(field, value);
        }
    }

    /** Only called after {@link #scan} saw one well-formed object, so failure here is a bug. */
    private static JsonNode readTree(String data) {
        try {
            return Json.MAPPER.readTree(data);
        } catch (IOException e) {
            throw new IllegalStateException("a payload that scanned as JSON did not parse", e);
        }
    }
}
