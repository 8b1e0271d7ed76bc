package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.OpenAiError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The streaming promises, over many generated chat streams (text split anywhere, refusals, one
 * to three tool calls with interleaved argument pieces, every finish reason or none, usage or
 * none, a clean end, an end without [DONE], or a failure midway):
 *
 * <ul>
 *   <li>every chunk's text leaves in the write that chunk caused, as one delta, unchanged;
 *   <li>the events rebuild, by the official client's rules ({@link ClientReplay}), exactly the
 *       output the terminal event reports, with gap-free sequence numbers from 0;
 *   <li>the text, refusals and each tool call's name and arguments are the upstream's, and the
 *       status and usage follow the finish reason and the usage chunk.
 * </ul>
 */
class ResponsesStreamPropertyTest {
    private static final int STREAMS = 300;
    private static final String[] PIECES = {"Hel", "lo", " ", "wörld", " 😀", "\"q\"", "\\", "\n", "line\r\nbreak", "é",
            "{", "}", "data: [DONE]", "event: x", "\u2028", "ok"};
    private static final String[] FINISH = {"stop", "tool_calls", "length", "content_filter", null};

    /** What the generated upstream said, to compare the translation with. */
    private record Expected(StringBuilder text, StringBuilder refusal, Map<String, String[]> calls) {}

    @Test
    void everyGeneratedStreamTranslatesFaithfully() throws Exception {
        for (int seed = 0; seed < STREAMS; seed++) {
            try {
                check(new Random(seed));
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError("stream generated from seed " + seed + ": " + e.getMessage(), e);
            }
        }
    }

    private static void check(Random random) throws Exception {
        RecordedEvents sink = new RecordedEvents();
        ResponsesStream stream = new ResponsesStream(ResponseFixtures.context(), sink, () -> 7L);
        Expected expected = new Expected(new StringBuilder(), new StringBuilder(), new LinkedHashMap<>());
        List<ObjectNode> chunks = generate(random, expected);
        String finish = FINISH[random.nextInt(FINISH.length)];
        if (finish != null) {
            chunks.add(chunk(Json.object(), finish));
        }
        ObjectNode usage = null;
        if (random.nextBoolean()) {
            ObjectNode usageChunk = Json.object();
            usageChunk.putArray("choices");
            usage = usageChunk.putObject("usage").put("prompt_tokens", random.nextInt(1000))
                    .put("completion_tokens", random.nextInt(1000));
            usage.put("total_tokens", usage.path("prompt_tokens").asInt() + usage.path("completion_tokens").asInt());
            chunks.add(usageChunk);
        }
        int failAt = random.nextInt(5) == 0 ? 1 + random.nextInt(chunks.size()) : -1;
        for (int i = 0; i < chunks.size(); i++) {
            if (i == failAt) {
                stream.fail(OpenAiError.upstreamTimeout("stalled"));
                break;
            }
            int writesBefore = sink.writeCount();
            assertEquals(StreamStep.CONTINUE, stream.accept(Json.write(chunks.get(i))));
            assertSentAtOnce(chunks.get(i), sink, writesBefore);
        }
        if (failAt == chunks.size()) {
            stream.fail(OpenAiError.upstreamTimeout("stalled")); // after the last chunk, before the end
        } else if (failAt < 0) {
            if (random.nextBoolean()) {
                assertEquals(StreamStep.FINISHED, stream.accept("[DONE]"));
            } else {
                stream.finish();
            }
        }
        JsonNode response = ClientReplay.replay(sink.all());
        if (failAt >= 0) {
            assertEquals("failed", response.path("status").asText());
            return; // a prefix of the answer; the replay checked its consistency
        }
        FinishReasons end = FinishReasons.of(finish);
        assertEquals(end.status(), response.path("status").asText());
        JsonNode expectedUsage = usage == null ? null : Json.MAPPER.readTree(Json.write(UsageTranslation.of(usage)));
        assertEquals(expectedUsage, response.get("usage").isNull() ? null : response.get("usage"));
        assertSameContent(expected, response.path("output"));
    }

    /** The chunk's text (and, once named, its arguments) is in the write it caused, whole. */
    private static void assertSentAtOnce(ObjectNode chunk, RecordedEvents sink, int writesBefore) {
        JsonNode delta = chunk.path("choices").path(0).path("delta");
        String content = delta.path("content").asText("");
        if (content.isEmpty()) {
            return;
        }
        assertEquals(writesBefore + 1, sink.writeCount(), "one write for the chunk");
        List<String> deltas = sink.write(writesBefore).stream()
                .filter(e -> e.path("type").asText().equals("response.output_text.delta"))
                .map(e -> e.path("delta").asText()).toList();
        assertEquals(List.of(content), deltas, "the chunk's text, as one delta, in its own write");
    }

    private static void assertSameContent(Expected expected, JsonNode output) {
        StringBuilder text = new StringBuilder();
        StringBuilder refusal = new StringBuilder();
        Map<String, String[]> calls = new LinkedHashMap<>();
        for (JsonNode item : output) {
            if (item.path("type").asText().equals("function_call")) {
                calls.put(item.path("call_id").asText(), new String[] {item.path("name").asText(), item.path("arguments").asText()});
            }
            for (JsonNode part : item.path("content")) {
                text.append(part.path("text").asText(""));
                refusal.append(part.path("refusal").asText(""));
            }
        }
        assertEquals(expected.text().toString(), text.toString());
        assertEquals(expected.refusal().toString(), refusal.toString());
        assertEquals(expected.calls().keySet(), calls.keySet());
        for (Map.Entry<String, String[]> call : expected.calls().entrySet()) {
            assertEquals(List.of(call.getValue()), List.of(calls.get(call.getKey())), "call " + call.getKey());
        }
    }

    /** Text and refusal pieces, then (sometimes) tool calls whose pieces interleave, then (sometimes) more text. */
    private static List<ObjectNode> generate(Random random, Expected expected) {
        List<ObjectNode> chunks = new ArrayList<>();
        if (random.nextBoolean()) {
            chunks.add(chunk(Json.object().put("role", "assistant").put("content", ""), null));
        }
        texts(random, expected, chunks);
        int callCount = random.nextInt(4);
        List<List<ObjectNode>> perCall = new ArrayList<>();
        for (int c = 0; c < callCount; c++) {
            String id = "call_" + c;
            String name = "tool_" + random.nextInt(100);
            String arguments = Json.write(Json.object().put("n", random.nextInt()).put("s", PIECES[random.nextInt(PIECES.length)]));
            expected.calls().put(id, new String[] {name, arguments});
            List<ObjectNode> pieces = new ArrayList<>();
            int at = 0;
            boolean first = true;
            while (at < arguments.length() || first) {
                int end = Math.min(arguments.length(), at + 1 + random.nextInt(8));
                ObjectNode call = Json.object().put("index", c);
                ObjectNode function = call.putObject("function");
                if (first) {
                    call.put("id", id).put("type", "function");
                    function.put("name", name);
                }
                function.put("arguments", arguments.substring(at, end));
                ObjectNode delta = Json.object();
                delta.putArray("tool_calls").add(call);
                pieces.add(chunk(delta, null));
                at = end;
                first = false;
            }
            perCall.add(pieces);
        }
        // Each call's first piece in call order (its item's place), the rest in any interleaving.
        for (List<ObjectNode> pieces : perCall) {
            chunks.add(pieces.remove(0));
        }
        while (perCall.stream().anyMatch(p -> !p.isEmpty())) {
            List<ObjectNode> pieces = perCall.get(random.nextInt(perCall.size()));
            if (!pieces.isEmpty()) {
                chunks.add(pieces.remove(0));
            }
        }
        if (callCount > 0 && random.nextInt(4) == 0) {
            texts(random, expected, chunks);
        }
        return chunks;
    }

    private static void texts(Random random, Expected expected, List<ObjectNode> chunks) {
        int count = random.nextInt(8);
        for (int i = 0; i < count; i++) {
            String piece = PIECES[random.nextInt(PIECES.length)];
            boolean refusal = random.nextInt(6) == 0;
            (refusal ? expected.refusal() : expected.text()).append(piece);
            chunks.add(chunk(Json.object().put(refusal ? "refusal" : "content", piece), null));
        }
    }

    private static ObjectNode chunk(ObjectNode delta, String finish) {
        ObjectNode chunk = Json.object().put("id", "chatcmpl-p").put("object", "chat.completion.chunk")
                .put("created", 1).put("model", "m");
        ArrayNode choices = chunk.putArray("choices");
        ObjectNode choice = choices.addObject().put("index", 0);
        choice.set("delta", delta);
        if (finish == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", finish);
        }
        assertTrue(chunk.path("choices").isArray());
        return chunk;
    }
}
