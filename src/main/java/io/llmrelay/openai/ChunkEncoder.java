package io.llmrelay.openai;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Objects;

/**
 * Turns upstream SSE {@code data} payloads into the bytes the relay sends: {@code data: <json>\n\n}.
 *
 * <p>A chunk that already carries {@code id}, {@code object}, {@code created} and {@code model}
 * is sent byte for byte as the upstream wrote it: the relay must not reorder, round or drop
 * anything a client may depend on (tool-call deltas, logprobs, vendor fields). Only a chunk that
 * lacks one of them (some OpenAI-compatible servers omit them, and strict clients such as the
 * OpenAI SDKs reject such chunks) is completed from this stream's defaults and re-serialised.
 * Checking is a token scan, not a tree build, because it runs once per token on the hot path.
 *
 * <p>One encoder belongs to one stream (its fallback id and timestamp are that stream's).
 */
public final class ChunkEncoder {
    public static final String DONE_DATA = "[DONE]";
    public static final String CHUNK_OBJECT = "chat.completion.chunk";
    /** An error inside a stream has no HTTP status of its own; it is the upstream failing, hence 502. */
    static final int IN_STREAM_ERROR_STATUS = 502;

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PREFIX = "data: ".getBytes(StandardCharsets.US_ASCII);
    static final int HAS_ID = 1;
    static final int HAS_OBJECT = 2;
    static final int HAS_CREATED = 4;
    static final int HAS_MODEL = 8;
    private static final int HAS_ALL = HAS_ID | HAS_OBJECT | HAS_CREATED | HAS_MODEL;
    static final int HAS_ERROR = 16;
    static final int NOT_AN_OBJECT = -1;

    private final String fallbackId;
    private final long createdEpochSeconds;
    private final String model;

    /**
     * @param fallbackId          the {@code id} for chunks without one, e.g. {@code chatcmpl-<request id>}
     * @param createdEpochSeconds the {@code created} for chunks without one: the stream's start
     * @param model               the {@code model} for chunks without one: the model the caller asked for
     */
    public ChunkEncoder(String fallbackId, long createdEpochSeconds, String model) {
        this.fallbackId = Objects.requireNonNull(fallbackId, "fallbackId");
        this.createdEpochSeconds = createdEpochSeconds;
        this.model = Objects.requireNonNull(model, "model");
    }

    /** An encoder whose fallback id is {@code chatcmpl-<requestId>}. */
    public static ChunkEncoder forRequest(String requestId, long createdEpochSeconds, String model) {
        return new ChunkEncoder("chatcmpl-" + requestId, createdEpochSeconds, model);
    }

    /** A fresh copy of {@code data: [DONE]\n\n} (a copy, so no caller can corrupt the shared bytes). */
    public static byte[] done() {
        return DONE.clone();
    }

    /** {@code data: {"error":{...}}\n\n}, how OpenAI reports a failure once a stream has begun. */
    public static byte[] errorEvent(OpenAiError error) {
        return frame(new String(error.toJson(), StandardCharsets.UTF_8));
    }

    /** Encodes one upstream {@code data} payload. */
    public EncodedEvent encode(String data) {
        if (isDone(data)) {
            return new EncodedEvent.Done(done());
        }
        int scan = scan(data);
        if (scan == NOT_AN_OBJECT) {
            OpenAiError error = OpenAiError.upstreamInvalidResponse(
                    "The upstream sent an event that is not a JSON object (" + data.length()
                            + " characters); the stream cannot be relayed further.");
            return new EncodedEvent.Invalid(error, errorEvent(error));
        }
        if ((scan & HAS_ERROR) != 0) {
            OpenAiError error = readError(data);
            return new EncodedEvent.UpstreamError(error, errorEvent(error));
        }
        if ((scan & HAS_ALL) == HAS_ALL && data.indexOf('\n') < 0) {
            return new EncodedEvent.Chunk(frame(data));
        }
        // Missing fields, or pretty-printed JSON whose newlines would break the SSE framing.
        return new EncodedEvent.Chunk(frame(Json.write(complete(data))));
    }

    private static boolean isDone(String data) {
        return data.equals(DONE_DATA) || (data.length() < 16 && data.strip().equals(DONE_DATA));
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
                        default -> 0;
                    };
                }
                parser.skipChildren();
            }
            // The loop ends on END_OBJECT for valid JSON; more tokens after it mean it was not one object.
            return parser.currentToken() == JsonToken.END_OBJECT && parser.nextToken() == null ? seen : NOT_AN_OBJECT;
        } catch (IOException e) {
            return NOT_AN_OBJECT;
        }
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

    /** One SSE event carrying {@code data}; each line of a multi-line payload gets its own {@code data:} field. */
    static byte[] frame(String data) {
        if (data.indexOf('\n') < 0 && data.indexOf('\r') < 0) {
            byte[] payload = data.getBytes(StandardCharsets.UTF_8);
            byte[] event = new byte[PREFIX.length + payload.length + 2];
            System.arraycopy(PREFIX, 0, event, 0, PREFIX.length);
            System.arraycopy(payload, 0, event, PREFIX.length, payload.length);
            event[event.length - 2] = '\n';
            event[event.length - 1] = '\n';
            return event;
        }
        StringBuilder event = new StringBuilder(data.length() + 16);
        for (String line : data.split("\r\n|\r|\n", -1)) {
            event.append("data: ").append(line).append('\n');
        }
        return event.append('\n').toString().getBytes(StandardCharsets.UTF_8);
    }
}
