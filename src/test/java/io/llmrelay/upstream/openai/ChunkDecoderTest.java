package io.llmrelay.upstream.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionChunk;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatSse;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible upstream's payloads as stream items, and a chunk as the relay frames it for the caller ({@link ChatSse}). */
class ChunkDecoderTest {
    private final ChunkDecoder decoder = ChunkDecoder.forRequest("req-1", 1_700_000_000L, "gpt-4o");

    @Test
    void sendsACompleteChunkByteForByte() {
        // Odd spacing, escapes, exponent notation, trailing zeros, vendor fields: none may change.
        String data = "{\"id\":\"chatcmpl-9\", \"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\\u00e9 \\\"1.50e3\\\" 😀\"},\"finish_reason\":null}],"
                + "\"x_vendor\":1.000e0 }";
        StreamItem.Chunk chunk = assertInstanceOf(StreamItem.Chunk.class, decoder.decode(data));
        assertSame(data, chunk.json(), "the upstream's own string, not a copy of it");
        assertEquals("data: " + data + "\n\n", text(ChatSse.frame(chunk.json())));
    }

    @Test
    void fillsInMissingIdentityFieldsFirstAndKeepsTheRest() throws IOException {
        String data = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"model\":null,"
                + "\"usage\":null}";
        String sent = text(ChatSse.frame(json(decoder.decode(data))));
        assertTrue(sent.startsWith("data: {\"id\":\"chatcmpl-req-1\",\"object\":\"chat.completion.chunk\","
                + "\"created\":1700000000,\"model\":\"gpt-4o\","), sent);
        assertTrue(sent.endsWith("}\n\n"), sent);
        JsonNode chunk = Json.MAPPER.readTree(sent.substring("data: ".length()));
        assertEquals(Json.MAPPER.readTree(data).path("choices"), chunk.path("choices"));
        assertTrue(chunk.has("usage"));
        // The strictest client we know, OpenAI's own SDK, accepts the completed chunk.
        ObjectMappers.jsonMapper().readValue(sent.substring("data: ".length()), ChatCompletionChunk.class).validate();
    }

    @Test
    void keepsTheIdentityFieldsTheUpstreamDidSend() throws IOException {
        JsonNode chunk = payload(decoder.decode("{\"id\":\"up-1\",\"created\":5,\"choices\":[]}"));
        assertEquals("up-1", chunk.path("id").asText());
        assertEquals(5, chunk.path("created").asLong());
        assertEquals("chat.completion.chunk", chunk.path("object").asText());
        assertEquals("gpt-4o", chunk.path("model").asText());
    }

    @Test
    void compactsPrettyPrintedJsonSoTheEventStaysOneDataLine() throws IOException {
        String data = "{\n  \"id\": \"x\",\n  \"object\": \"chat.completion.chunk\",\n  \"created\": 1,\n"
                + "  \"model\": \"m\",\n  \"choices\": []\n}";
        String sent = text(ChatSse.frame(json(decoder.decode(data))));
        assertEquals(1, sent.chars().filter(c -> c == '\n').count() - 1, sent);
        assertEquals(Json.MAPPER.readTree(data), Json.MAPPER.readTree(sent.substring("data: ".length())));
    }

    @Test
    void recognisesDone() {
        for (String done : List.of("[DONE]", " [DONE] ")) {
            assertSame(StreamItem.END, decoder.decode(done), done);
        }
    }

    @Test
    void turnsAnErrorInsideTheStreamIntoAFailureInTheUpstreamsWords() {
        StreamItem.Failure failure = assertInstanceOf(StreamItem.Failure.class, decoder.decode(
                "{\"error\":{\"message\":\"Context length exceeded\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}"));
        assertEquals(new OpenAiError(502, "Context length exceeded", "invalid_request_error", "messages",
                "context_length_exceeded"), failure.error());
        assertTrue(failure.upstreamWords(), "the upstream's words: the relay scrubs them");
    }

    @Test
    void turnsAStringErrorIntoAFailure() {
        StreamItem.Failure failure = assertInstanceOf(StreamItem.Failure.class, decoder.decode("{\"error\":\"overloaded\"}"));
        assertEquals("overloaded", failure.error().message());
        assertEquals("api_error", failure.error().type());
        assertTrue(failure.upstreamWords());
    }

    @Test
    void aNullErrorFieldIsNotAnError() {
        assertInstanceOf(StreamItem.Chunk.class,
                decoder.decode("{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"error\":null,\"choices\":[]}"));
    }

    @Test
    void whatIsNotOneJsonObjectEndsTheStreamAsAnInvalidUpstreamResponse() {
        for (String data : List.of("hello", "[1,2]", "{\"broken\":", "{} {}", "", "<html>")) {
            StreamItem.Failure invalid = assertInstanceOf(StreamItem.Failure.class, decoder.decode(data), data);
            assertEquals("upstream_invalid_response", invalid.error().code());
            assertFalse(invalid.upstreamWords(), "the relay's own words");
            String event = text(ChatSse.errorEvent(invalid.error()));
            assertTrue(data.isEmpty() || !event.contains(data), "the payload is not echoed");
        }
    }

    @Test
    void everyRelayedEventReadsBackAsTheSamePayload() throws IOException {
        List<String> payloads = List.of(
                "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}",
                "line one\nline two\n\nline four",
                "ünïcödé 😀",
                "[DONE]");
        List<String> read = new ArrayList<>();
        for (String payload : payloads) {
            // Text that is not JSON no longer leaves as a chunk, but the framing must still carry any text.
            byte[] bytes = payload.startsWith("{") ? ChatSse.frame(json(decoder.decode(payload)))
                    : payload.equals("[DONE]") && decoder.decode(payload) == StreamItem.END ? ChatSse.done()
                    : ChatSse.frame(payload);
            SseEvent event = new SseReader(new ByteArrayInputStream(bytes)).next();
            read.add(event.data());
        }
        assertEquals(payloads, read);
    }

    @Test
    void fieldOrderOfACompletedChunkFollowsOpenAi() throws IOException {
        JsonNode chunk = payload(decoder.decode("{\"choices\":[],\"model\":\"up\",\"id\":\"i\"}"));
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = chunk.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        assertEquals(List.of("id", "object", "created", "model", "choices"), names);
        assertEquals("up", chunk.path("model").asText());
    }

    @Test
    void aCompleteChunkFramesAsExactlyTheEventTheUpstreamSent() {
        String data = "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}";
        assertArrayEquals(("data: " + data + "\n\n").getBytes(StandardCharsets.UTF_8), ChatSse.frame(json(decoder.decode(data))));
    }

    private static String json(StreamItem item) {
        return assertInstanceOf(StreamItem.Chunk.class, item).json();
    }

    private static JsonNode payload(StreamItem item) throws IOException {
        String sent = text(ChatSse.frame(json(item)));
        assertTrue(sent.startsWith("data: ") && sent.endsWith("\n\n"), sent);
        return Json.MAPPER.readTree(sent.substring("data: ".length(), sent.length() - 2));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
