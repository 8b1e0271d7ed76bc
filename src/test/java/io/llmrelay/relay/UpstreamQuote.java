package io.llmrelay.relay;

import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.JsonEscapeForms;
import java.util.List;
import java.util.Random;

/**
 * An upstream answer that quotes its key somewhere a caller would read it, for
 * {@link KeyScrubPropertyTest}: what the scripted upstream sends, how the key was written in it,
 * and the status the caller must still get.
 *
 * @param quoted the key as the upstream wrote it inside a JSON string (escapes and all)
 */
record UpstreamQuote(Kind kind, Script script, String quoted, int expectedStatus) {
    /** Where the upstream puts the key. */
    enum Kind {
        /** A 4xx with an OpenAI error body: passed through with its status (and a 429's retry-after). */
        CLIENT_ERROR,
        /** A 500 with an OpenAI error body: a 502 quoting its message. */
        SERVER_ERROR,
        /** A 200 stream whose first event is an error: a 502 with its code. */
        FIRST_ERROR_EVENT,
        /** A 200 stream with an error event after content: the error event, then [DONE]. */
        MID_ERROR_EVENT,
        /** A content delta (an echo of the request). */
        CONTENT_CHUNK,
        /** Tool-call arguments. */
        TOOL_CALL_CHUNK,
        /** A chunk's id, model and system_fingerprint, passed byte for byte. */
        ID_FIELDS,
        /** A chunk without id, object, created and model: re-serialised by the relay. */
        UNNAMED_CHUNK,
        /** A whole chat.completion (stream: false), its content-type passed on. */
        WHOLE
    }

    private static final List<Integer> CLIENT_STATUSES = List.of(400, 401, 403, 404, 409, 422, 429);

    static UpstreamQuote random(String key, Random random) {
        Kind kind = Kind.values()[random.nextInt(Kind.values().length)];
        String q = quote(key, random);
        String text = around(q, random);
        return switch (kind) {
            case CLIENT_ERROR -> {
                int status = CLIENT_STATUSES.get(random.nextInt(CLIENT_STATUSES.size()));
                Script script = Script.json(status, "{\"error\":{\"message\":\"" + text
                        + "\",\"type\":\"invalid_request_error\",\"param\":" + maybe(q, random) + ",\"code\":"
                        + maybe(q, random) + "},\"echo\":{\"authorization\":\"Bearer " + quote(key, random) + "\"}}");
                // A 429's retry-after reaches the caller: an upstream could echo the key there too (as it is: a header).
                yield new UpstreamQuote(kind, status == 429 ? script.header("retry-after", "7 " + key) : script, q, status);
            }
            case SERVER_ERROR -> new UpstreamQuote(kind, Script.json(500, error(text, maybe(q, random))), q, 502);
            case FIRST_ERROR_EVENT -> new UpstreamQuote(kind, Script.sse(200).chunk(error(text, maybe(q, random))).done(), q, 502);
            case MID_ERROR_EVENT -> new UpstreamQuote(kind, Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Hi"))
                    .chunk(error(text, maybe(q, random))).done(), q, 200);
            case CONTENT_CHUNK -> stream(kind, q, chunk("chatcmpl-1", "gpt-x", "{\"content\":\"" + text + "\"}"));
            case TOOL_CALL_CHUNK -> stream(kind, q, chunk("chatcmpl-1", "gpt-x", "{\"tool_calls\":[{\"index\":0,"
                    + "\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"" + text + "\"}}]}"));
            case ID_FIELDS -> stream(kind, q, chunk(text, quote(key, random), "{\"content\":\"x\"}")
                    .replace("\"choices\"", "\"system_fingerprint\":\"" + quote(key, random) + "\",\"choices\""));
            case UNNAMED_CHUNK -> stream(kind, q, "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"" + text
                    + "\"},\"finish_reason\":null}]}");
            case WHOLE -> new UpstreamQuote(kind, Script.json(200, "{\"id\":\"chatcmpl-2\",\"object\":\"chat.completion\","
                    + "\"created\":1700000000,\"model\":\"" + quote(key, random) + "\",\"choices\":[{\"index\":0,\"message\":"
                    + "{\"role\":\"assistant\",\"content\":\"" + text + "\"},\"finish_reason\":\"stop\"}]}")
                    .header("content-type", "application/json; echo=" + (random.nextBoolean() ? key : "none")), q, 200);
        };
    }

    private static UpstreamQuote stream(Kind kind, String quoted, String chunk) {
        return new UpstreamQuote(kind, Script.sse(200).chunk(Chunks.role()).chunk(chunk).chunk(Chunks.finish("stop")).done(),
                quoted, 200);
    }

    /** The key in one JSON form throughout, or each char in its own. */
    private static String quote(String key, Random random) {
        List<JsonEscapeForms.Form> forms = List.of(JsonEscapeForms.Form.values());
        return random.nextBoolean() ? JsonEscapeForms.random(key, random)
                : JsonEscapeForms.all(key, forms.get(random.nextInt(forms.size())), random);
    }

    /** The quote amid other text, escapes included, as an echo or an error message would have it. */
    private static String around(String quoted, Random random) {
        String before = JsonEscapeForms.random(List.of("Incorrect API key provided: ", "echo:\n", "key=", "").get(random.nextInt(4)), random);
        String after = JsonEscapeForms.random(List.of(".", " (\"Bearer\")", "\u00e9\n", "").get(random.nextInt(4)), random);
        return before + quoted + after;
    }

    private static String maybe(String quoted, Random random) {
        return random.nextBoolean() ? "null" : "\"" + quoted + "\"";
    }

    private static String error(String message, String codeJson) {
        return "{\"error\":{\"message\":\"" + message + "\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":"
                + codeJson + "}}";
    }

    private static String chunk(String id, String model, String delta) {
        return "{\"id\":\"" + id + "\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":\"" + model
                + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"logprobs\":null,\"finish_reason\":null}]}";
    }
}
