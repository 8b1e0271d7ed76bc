package io.llmrelay.upstream.demo;

import io.llmrelay.testing.Background;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.openai.core.ObjectMappers;
import com.openai.models.chat.completions.ChatCompletion;
import com.openai.models.chat.completions.ChatCompletionChunk;
import io.llmrelay.json.Json;
import io.llmrelay.openai.ChatSse;
import io.llmrelay.upstream.StreamItem;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.openai.ChunkDecoder;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DemoModelTest {
    private static final String MESSAGES = "\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, demo\"}]";

    @Test
    void streamsTheReplyWordByWordAsOpenAiChunksWithUsage() throws Exception {
        List<String> data = streamedData(new DemoModel(Duration.ZERO),
                "{\"model\":\"relay-demo\"," + MESSAGES + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals("[DONE]", data.getLast());
        List<JsonNode> chunks = new ArrayList<>();
        for (String d : data.subList(0, data.size() - 1)) {
            chunks.add(Json.MAPPER.readTree(d));
            ObjectMappers.jsonMapper().readValue(d, ChatCompletionChunk.class).validate();
        }
        for (JsonNode chunk : chunks) {
            assertEquals("chatcmpl-req-7", chunk.path("id").asText());
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals("relay-demo", chunk.path("model").asText());
            assertTrue(chunk.path("created").asLong() > 1_600_000_000L);
        }
        JsonNode first = chunks.getFirst().path("choices").get(0).path("delta");
        assertEquals("assistant", first.path("role").asText());
        assertEquals("", first.path("content").asText());

        int wordCount = DemoModel.REPLY.split(" ").length;
        List<JsonNode> words = chunks.subList(1, 1 + wordCount);
        StringBuilder text = new StringBuilder();
        for (JsonNode chunk : words) {
            String content = chunk.path("choices").get(0).path("delta").path("content").asText();
            assertEquals(1, content.strip().split(" ").length, "one word per chunk: '" + content + "'");
            text.append(content);
            assertTrue(chunk.has("usage") && chunk.get("usage").isNull(), "usage is null until the last chunk");
        }
        assertEquals(DemoModel.REPLY, text.toString());

        JsonNode finish = chunks.get(1 + wordCount);
        assertEquals("stop", finish.path("choices").get(0).path("finish_reason").asText());
        JsonNode usage = chunks.getLast();
        assertEquals(chunks.size(), wordCount + 3);
        assertTrue(usage.path("choices").isArray() && usage.path("choices").isEmpty());
        assertEquals(3, usage.path("usage").path("prompt_tokens").asInt());
        assertEquals(wordCount, usage.path("usage").path("completion_tokens").asInt());
        assertEquals(3 + wordCount, usage.path("usage").path("total_tokens").asInt());
    }

    @Test
    void leavesOutUsageUnlessAskedAndDefaultsTheModel() throws Exception {
        List<String> data = streamedData(new DemoModel(Duration.ZERO), "{" + MESSAGES + ",\"stream\":true}");
        for (String d : data.subList(0, data.size() - 1)) {
            JsonNode chunk = Json.MAPPER.readTree(d);
            assertFalse(chunk.has("usage"), d);
            assertEquals(DemoModel.MODEL, chunk.path("model").asText());
            assertFalse(chunk.path("choices").isEmpty(), "no usage chunk without include_usage");
        }
        assertEquals("[DONE]", data.getLast());
    }

    @Test
    void everyChunkPassesTheRelayDecoderUnchanged() throws Exception {
        UpstreamResponse response = new DemoModel(Duration.ZERO).send(request("{" + MESSAGES + "}", true));
        ChunkDecoder decoder = ChunkDecoder.forRequest("other", 1L, "other-model");
        SseReader reader = new SseReader(response.body());
        for (SseEvent event = reader.next(); event != null; event = reader.next()) {
            StreamItem item = decoder.decode(event.data());
            if (event.data().equals("[DONE]")) {
                assertEquals(StreamItem.END, item);
                continue;
            }
            StreamItem.Chunk chunk = assertInstanceOf(StreamItem.Chunk.class, item, event.data());
            assertEquals(event.data(), chunk.json());
            assertArrayEquals(("data: " + event.data() + "\n\n").getBytes(StandardCharsets.UTF_8), ChatSse.frame(chunk.json()));
        }
    }

    @Test
    void answersANonStreamingRequestWithOneCompletion() throws Exception {
        try (UpstreamResponse response = new DemoModel().send(request("{\"model\":\"relay-demo\"," + MESSAGES + "}",
                false))) {
            assertEquals(200, response.status());
            assertEquals("application/json", response.header("content-type"));
            byte[] body = response.body().readAllBytes();
            ChatCompletion completion = ObjectMappers.jsonMapper().readValue(body, ChatCompletion.class).validate();
            assertEquals(DemoModel.REPLY, completion.choices().getFirst().message().content().orElseThrow());
            JsonNode json = Json.MAPPER.readTree(body);
            assertEquals("chat.completion", json.path("object").asText());
            assertEquals("stop", json.path("choices").get(0).path("finish_reason").asText());
            assertEquals(3, json.path("usage").path("prompt_tokens").asInt());
        }
    }

    @Test
    void pausesInsideReadBetweenWords() throws Exception {
        Duration pause = Duration.ofMillis(20);
        UpstreamResponse response = new DemoModel(pause).send(request("{" + MESSAGES + "}", true));
        assertEquals("text/event-stream", response.header("content-type"));
        long start = System.nanoTime();
        SseReader reader = new SseReader(response.body());
        assertTrue(reader.next().data().contains("\"role\":\"assistant\""), "the role chunk comes without a pause");
        int events = 1;
        while (reader.next() != null) {
            events++;
        }
        long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        int words = DemoModel.REPLY.split(" ").length;
        assertEquals(words + 3, events);
        assertTrue(elapsedMs >= words * pause.toMillis(), "the whole stream took only " + elapsedMs + " ms");
    }

    @Test
    void closingEndsTheStreamEvenDuringAPause() throws Exception {
        UpstreamResponse response = new DemoModel(Duration.ofHours(1)).send(request("{" + MESSAGES + "}", true));
        SseReader reader = new SseReader(response.body());
        assertTrue(reader.next().data().contains("assistant"));
        CompletableFuture<SseEvent> next = CompletableFuture.supplyAsync(() -> {
            try {
                return reader.next(); // blocks in the hour-long pause before the first word
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        }, Background.THREADS);
        assertFalse(next.isDone());
        response.close();
        ExecutionException e = assertThrows(ExecutionException.class, () -> next.get(10, TimeUnit.SECONDS));
        assertInstanceOf(IOException.class, e.getCause().getCause());
        assertThrows(IOException.class, () -> response.body().read());
    }

    @Test
    void survivesABodyThatIsNotJson() throws Exception {
        try (UpstreamResponse response = new DemoModel(Duration.ZERO).send(request("not json", true))) {
            InputStream body = response.body();
            List<String> data = new ArrayList<>();
            SseReader reader = new SseReader(body);
            for (SseEvent event = reader.next(); event != null; event = reader.next()) {
                data.add(event.data());
            }
            assertEquals("[DONE]", data.getLast());
            assertTrue(Json.MAPPER.readTree(data.getFirst()).path("id").asText().startsWith("chatcmpl-"));
        }
    }

    private static List<String> streamedData(DemoModel demo, String body) throws IOException {
        List<String> data = new ArrayList<>();
        try (UpstreamResponse response = demo.send(new UpstreamRequest(DemoModel.BASE_URL, null, Map.of(),
                body.getBytes(StandardCharsets.UTF_8), true, Duration.ofSeconds(5), "req-7"))) {
            assertEquals(200, response.status());
            SseReader reader = new SseReader(response.body());
            for (SseEvent event = reader.next(); event != null; event = reader.next()) {
                assertNull(event.event());
                data.add(event.data());
            }
        }
        return data;
    }

    private static UpstreamRequest request(String body, boolean stream) {
        return new UpstreamRequest(DemoModel.BASE_URL, null, Map.of(), body.getBytes(StandardCharsets.UTF_8), stream,
                Duration.ofSeconds(5), null);
    }
}
