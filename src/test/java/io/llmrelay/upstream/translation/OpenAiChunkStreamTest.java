package io.llmrelay.upstream.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The OpenAI side of every translated stream: the promises the README makes (role first, exact
 * text, dense tool-call indexes, one finish reason, usage only when asked), held over many
 * generated streams, and the finish-reason table row by row.
 */
class OpenAiChunkStreamTest {
    private static final String ALPHABET = "ab c\"\\\n\té✓😀{}[]:,";

    private final List<JsonNode> chunks = new ArrayList<>();

    private OpenAiChunkStream stream(boolean includeUsage, List<String> notes) {
        return new OpenAiChunkStream("Test", new ChatChunks("chatcmpl-t", 1700000000, "m\"odel", includeUsage),
                includeUsage, (kind, detail) -> notes.add(kind + "=" + detail), json -> chunks.add(parse(json)));
    }

    private static JsonNode parse(byte[] json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException e) {
            throw new AssertionError("a chunk is not JSON: " + new String(json), e);
        }
    }

    @Test
    void generatedStreamsKeepEveryPromise() throws Exception {
        Random random = new Random(20251202);
        for (int round = 0; round < 400; round++) {
            chunks.clear();
            boolean includeUsage = random.nextBoolean();
            OpenAiChunkStream out = stream(includeUsage, new ArrayList<>());
            StringBuilder expectedText = new StringBuilder();
            List<String> expectedArguments = new ArrayList<>();
            int block = random.nextInt(3); // providers number blocks from anywhere; OpenAI indexes from 0
            for (int part = random.nextInt(6); part >= 0; part--, block++) {
                if (random.nextBoolean()) {
                    String text = randomText(random);
                    for (String piece : split(text, random)) {
                        out.text(piece);
                    }
                    expectedText.append(text);
                } else {
                    String arguments = Json.write(Map.of("k" + random.nextInt(9), randomText(random)));
                    out.toolStart(block, "call_" + block, "tool" + block);
                    for (String piece : split(arguments, random)) {
                        out.toolArguments(block, piece);
                    }
                    out.blockStop(block);
                    expectedArguments.add(arguments);
                }
            }
            out.usage(7L, 3L);
            out.stop(expectedArguments.isEmpty() ? "end_turn" : "tool_use");
            out.sendUsage();
            check(includeUsage, expectedText.toString(), expectedArguments);
        }
    }

    private void check(boolean includeUsage, String text, List<String> arguments) {
        assertEquals("assistant", chunks.get(0).path("choices").get(0).path("delta").path("role").asText());
        StringBuilder gotText = new StringBuilder();
        List<StringBuilder> gotArguments = new ArrayList<>();
        int finishes = 0;
        for (JsonNode chunk : chunks) {
            assertEquals("chatcmpl-t", chunk.path("id").asText());
            assertEquals("chat.completion.chunk", chunk.path("object").asText());
            assertEquals("m\"odel", chunk.path("model").asText());
            assertEquals(includeUsage, chunk.has("usage"));
            if (chunk.path("choices").isEmpty()) {
                continue;
            }
            JsonNode choice = chunk.path("choices").get(0);
            gotText.append(choice.path("delta").path("content").asText(""));
            for (JsonNode call : choice.path("delta").path("tool_calls")) {
                int index = call.path("index").asInt();
                if (call.has("id")) {
                    assertEquals(gotArguments.size(), index, "indexes are dense from 0, in order of appearance");
                    assertEquals("function", call.path("type").asText());
                    gotArguments.add(new StringBuilder());
                }
                gotArguments.get(index).append(call.path("function").path("arguments").asText());
            }
            finishes += choice.path("finish_reason").isNull() ? 0 : 1;
        }
        assertEquals(text, gotText.toString());
        assertEquals(arguments, gotArguments.stream().map(StringBuilder::toString).toList());
        assertEquals(1, finishes, "exactly one finish reason");
        JsonNode last = chunks.get(chunks.size() - 1);
        if (includeUsage) {
            assertTrue(last.path("choices").isEmpty());
            assertEquals(10, last.path("usage").path("total_tokens").asInt());
        } else {
            assertFalse(last.path("choices").isEmpty(), "no usage chunk unless asked");
        }
    }

    @Test
    void toolInputThatIsNotOneJsonObjectFailsWhenItsBlockEnds() throws Exception {
        for (String bad : List.of("{\"a\":", "[1]", "{} {}", "\"text\"")) {
            OpenAiChunkStream out = stream(false, new ArrayList<>());
            out.toolStart(4, "id", "name");
            out.toolArguments(4, bad);
            StreamFailure failure = assertThrows(StreamFailure.class, () -> out.blockStop(4), bad);
            assertEquals("upstream_invalid_response", failure.error().code());
        }
        OpenAiChunkStream out = stream(false, new ArrayList<>());
        assertThrows(StreamFailure.class, () -> out.toolArguments(2, "{}"), "input for a call that never started");
        assertThrows(StreamFailure.class, () -> out.toolStart(1, "", "name"), "a call without an id");
    }

    @Test
    void theFinishReasonTable() throws Exception {
        Map<String, String> table = Map.of("end_turn", "stop", "stop_sequence", "stop", "max_tokens", "length",
                "tool_use", "tool_calls", "refusal", "content_filter", "guardrail_intervened", "content_filter",
                "content_filtered", "content_filter", "model_context_window_exceeded", "length", "pause_turn", "stop");
        for (Map.Entry<String, String> row : table.entrySet()) {
            List<String> notes = new ArrayList<>();
            assertEquals(row.getValue(), FinishReasons.toOpenAi(row.getKey(), (kind, detail) -> notes.add(kind)), row.getKey());
        }
        List<String> notes = new ArrayList<>();
        FinishReasons.toOpenAi("pause_turn", (kind, detail) -> notes.add(kind + "=" + detail));
        assertEquals(List.of("unknown_stop_reason=pause_turn"), notes, "an unknown reason is noted for the log");
    }

    private static String randomText(Random random) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(30); i > 0; i--) {
            text.appendCodePoint(ALPHABET.codePoints().toArray()[random.nextInt((int) ALPHABET.codePoints().count())]);
        }
        return text.toString();
    }

    /** Cuts {@code text} into pieces at random code-point boundaries (empty pieces included). */
    private static List<String> split(String text, Random random) {
        List<String> pieces = new ArrayList<>();
        int start = 0;
        int[] points = text.codePoints().toArray();
        while (start < points.length) {
            int end = Math.min(points.length, start + random.nextInt(5));
            pieces.add(new String(points, start, end - start));
            start = end;
        }
        if (random.nextInt(4) == 0) {
            pieces.add("");
        }
        return pieces;
    }
}
