package io.llmrelay.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletionChunk;
import io.llmrelay.json.Json;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChunkEncoderTest {
    private final ChunkEncoder encoder = ChunkEncoder.forRequest("req-1", 1_700_000_000L, "gpt-4o");

    @Test
    void sendsACompleteChunkByteForByte() {
        // Odd spacing, escapes, exponent notation, trailing zeros, vendor fields: none may change.
        String data = "{\"id\":\"chatcmpl-9\", \"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4o-2024\","
                + "\"choices\":[{\"index\":0,\"delta\":{\"content\":\"caf\\u00e9 \\\"1.50e3\\\" 😀\"},\"finish_reason\":null}],"
                + "\"x_vendor\":1.000e0 }";
        EncodedEvent event = encoder.encode(data);
        assertInstanceOf(EncodedEvent.Chunk.class, event);
        assertFalse(event.endsStream());
        assertEquals("data: " + data + "\n\n", text(event.bytes()));
    }

    @Test
    void fillsInMissingIdentityFieldsFirstAndKeepsTheRest() throws IOException {
        String data = "{\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"},\"finish_reason\":null}],\"model\":null,"
                + "\"usage\":null}";
        String sent = text(encoder.encode(data).bytes());
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
        JsonNode chunk = payload(encoder.encode("{\"id\":\"up-1\",\"created\":5,\"choices\":[]}"));
        assertEquals("up-1", chunk.path("id").asText());
        assertEquals(5, chunk.path("created").asLong());
        assertEquals("chat.completion.chunk", chunk.path("object").asText());
        assertEquals("gpt-4o", chunk.path("model").asText());
    }

    @Test
    void compactsPrettyPrintedJsonSoTheEventStaysOneDataLine() throws IOException {
        String data = "{\n  \"id\": \"x\",\n  \"object\": \"chat.completion.chunk\",\n  \"created\": 1,\n"
                + "  \"model\": \"m\",\n  \"choices\": []\n}";
        String sent = text(encoder.encode(data).bytes());
        assertEquals(1, sent.chars().filter(c -> c == '\n').count() - 1, sent);
        assertEquals(Json.MAPPER.readTree(data), Json.MAPPER.readTree(sent.substring("data: ".length())));
    }

    @Test
    void recognisesDone() {
        for (String done : List.of("[DONE]", " [DONE] ")) {
            EncodedEvent event = encoder.encode(done);
            assertInstanceOf(EncodedEvent.Done.class, event);
            assertTrue(event.endsStream());
            assertEquals("data: [DONE]\n\n", text(event.bytes()));
        }
    }

    @Test
    void doneHandsOutACopy() {
        ChunkEncoder.done()[0] = 'X';
        assertEquals("data: [DONE]\n\n", text(ChunkEncoder.done()));
    }

    @Test
    void turnsAnErrorInsideTheStreamIntoAnErrorEvent() {
        EncodedEvent event = encoder.encode(
                "{\"error\":{\"message\":\"Context length exceeded\",\"type\":\"invalid_request_error\","
                        + "\"param\":\"messages\",\"code\":\"context_length_exceeded\"}}");
        EncodedEvent.UpstreamError error = assertInstanceOf(EncodedEvent.UpstreamError.class, event);
        assertTrue(event.endsStream());
        assertEquals(new OpenAiError(502, "Context length exceeded", "invalid_request_error", "messages",
                "context_length_exceeded"), error.error());
        assertArrayEquals(ChunkEncoder.errorEvent(error.error()), event.bytes());
    }

    @Test
    void turnsAStringErrorIntoAnErrorEvent() {
        EncodedEvent.UpstreamError error = assertInstanceOf(EncodedEvent.UpstreamError.class,
                encoder.encode("{\"error\":\"overloaded\"}"));
        assertEquals("overloaded", error.error().message());
        assertEquals("api_error", error.error().type());
    }

    @Test
    void aNullErrorFieldIsNotAnError() {
        assertInstanceOf(EncodedEvent.Chunk.class,
                encoder.encode("{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\","
                        + "\"error\":null,\"choices\":[]}"));
    }

    @Test
    void rendersTheErrorEventExactly() {
        assertEquals("data: {\"error\":{\"message\":\"slow\",\"type\":\"api_error\",\"param\":null,"
                + "\"code\":\"upstream_timeout\"}}\n\n", text(ChunkEncoder.errorEvent(OpenAiError.upstreamTimeout("slow"))));
    }

    @Test
    void whatIsNotOneJsonObjectEndsTheStreamAsAnInvalidUpstreamResponse() {
        for (String data : List.of("hello", "[1,2]", "{\"broken\":", "{} {}", "", "<html>")) {
            EncodedEvent event = encoder.encode(data);
            EncodedEvent.Invalid invalid = assertInstanceOf(EncodedEvent.Invalid.class, event, data);
            assertTrue(invalid.endsStream());
            assertEquals("upstream_invalid_response", invalid.error().code());
            assertEquals(text(ChunkEncoder.errorEvent(invalid.error())), text(event.bytes()));
            assertTrue(data.isEmpty() || !text(event.bytes()).contains(data), "the payload is not echoed");
        }
    }

    @Test
    void everyEncodedEventReadsBackAsTheSamePayload() throws IOException {
        List<String> payloads = List.of(
                "{\"id\":\"a\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"m\",\"choices\":[]}",
                "line one\nline two\n\nline four",
                "ünïcödé 😀",
                "[DONE]");
        List<String> read = new ArrayList<>();
        for (String payload : payloads) {
            // Text that is not JSON no longer leaves as a chunk, but the framing must still carry any text.
            byte[] bytes = payload.startsWith("{") || payload.equals("[DONE]")
                    ? encoder.encode(payload).bytes() : ChunkEncoder.frame(payload);
            SseEvent event = new SseReader(new ByteArrayInputStream(bytes)).next();
            read.add(event.data());
        }
        assertEquals(payloads, read);
    }

    @Test
    void theErrorEventReadsBackAsOpenAisErrorBody() throws IOException {
        OpenAiError error = OpenAiError.upstreamUnavailable("gone");
        SseEvent event = new SseReader(new ByteArrayInputStream(ChunkEncoder.errorEvent(error))).next();
        assertEquals(error, OpenAiError.fromUpstreamBody(502, event.data().getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void fieldOrderOfACompletedChunkFollowsOpenAi() throws IOException {
        JsonNode chunk = payload(encoder.encode("{\"choices\":[],\"model\":\"up\",\"id\":\"i\"}"));
        List<String> names = new ArrayList<>();
        for (Iterator<String> it = chunk.fieldNames(); it.hasNext(); ) {
            names.add(it.next());
        }
        assertEquals(List.of("id", "object", "created", "model", "choices"), names);
        assertEquals("up", chunk.path("model").asText());
    }

    private static JsonNode payload(EncodedEvent event) throws IOException {
        String sent = text(event.bytes());
        assertTrue(sent.startsWith("data: ") && sent.endsWith("\n\n"), sent);
        return Json.MAPPER.readTree(sent.substring("data: ".length(), sent.length() - 2));
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
