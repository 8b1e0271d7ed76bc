package io.llmrelay.responses;

import static io.llmrelay.responses.ResponseFixtures.COMPLETED;
import static io.llmrelay.responses.ResponseFixtures.context;
import static io.llmrelay.responses.ResponseFixtures.message;
import static io.llmrelay.responses.ResponseFixtures.response;
import static io.llmrelay.responses.ResponseFixtures.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream.Chunks;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A whole {@code chat.completion} as a Response object, compared as a JSON tree. */
class ResponsesAnswerTest {

    @Test
    void aTextAnswer() throws Exception {
        JsonNode response = translate(Chunks.completion("Hello there"));
        String usage = "{\"input_tokens\":5,\"input_tokens_details\":{\"cached_tokens\":0},\"output_tokens\":2,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":0},\"total_tokens\":7}";
        assertEquals(tree(response("completed", "[" + message("msg_req1_0", "Hello there") + "]", usage)), response);
        assertTrue(!response.has("output_text"), "output_text is computed by the SDKs, not sent");
    }

    @Test
    void toolCallsAfterTheTextWithCallIdsAndDetailedUsage() throws Exception {
        JsonNode response = translate(completion("{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":["
                + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"type\":\"function\",\"function\":{\"name\":\"time\",\"arguments\":\"{}\"}}]}", "tool_calls",
                ",\"usage\":{\"prompt_tokens\":50,\"completion_tokens\":20,\"total_tokens\":70,"
                        + "\"prompt_tokens_details\":{\"cached_tokens\":32},\"completion_tokens_details\":{\"reasoning_tokens\":8}}"));
        assertEquals(tree("[" + message("msg_req1_0", "Checking.") + ","
                + "{\"id\":\"fc_req1_1\",\"type\":\"function_call\",\"status\":\"completed\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\",\"call_id\":\"call_1\",\"name\":\"weather\"},"
                + "{\"id\":\"fc_req1_2\",\"type\":\"function_call\",\"status\":\"completed\",\"arguments\":\"{}\","
                + "\"call_id\":\"call_req1_2\",\"name\":\"time\"}]"), response.path("output"));
        assertEquals(tree("{\"input_tokens\":50,\"input_tokens_details\":{\"cached_tokens\":32},\"output_tokens\":20,"
                + "\"output_tokens_details\":{\"reasoning_tokens\":8},\"total_tokens\":70}"), response.path("usage"));
        assertEquals("completed", response.path("status").asText());
    }

    @Test
    void onlyToolCallsMeansNoMessageItem() throws Exception {
        JsonNode response = translate(completion("{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", "tool_calls", ""));
        assertEquals(1, response.path("output").size());
        assertEquals("fc_req1_0", response.path("output").get(0).path("id").asText());
        assertTrue(response.path("usage").isNull(), "no usage from the upstream: none reported");
    }

    @Test
    void aLengthStopIsIncompleteWithoutCompletedAt() throws Exception {
        JsonNode response = translate(completion("{\"role\":\"assistant\",\"content\":\"Once upon\"}", "length", ""));
        ObjectNode expected = (ObjectNode) tree(response("incomplete", "[" + message("msg_req1_0", "Once upon")
                .replace("\"completed\"", "\"incomplete\"") + "]", "null"));
        expected.set("incomplete_details", tree("{\"reason\":\"max_output_tokens\"}"));
        assertEquals(expected, response);
    }

    @Test
    void aRefusalIsARefusalPart() throws Exception {
        JsonNode response = translate(completion("{\"role\":\"assistant\",\"content\":null,\"refusal\":\"I can't.\"}", "stop", ""));
        assertEquals(tree("[{\"type\":\"refusal\",\"refusal\":\"I can't.\"}]"), response.path("output").get(0).path("content"));
    }

    @Test
    void theSameAnswerStreamedOrWholeIsTheSameResponse() throws Exception {
        RecordedEvents sink = new RecordedEvents();
        ResponsesStream stream = new ResponsesStream(context(), sink, () -> COMPLETED);
        for (String chunk : List.of(Chunks.role(), Chunks.content("Hello"), Chunks.content(" there"),
                Chunks.finish("stop"), Chunks.usage(5, 2), "[DONE]")) {
            stream.accept(chunk);
        }
        List<JsonNode> events = sink.all();
        assertEquals(translate(Chunks.completion("Hello there")), events.get(events.size() - 1).path("response"));
    }

    @Test
    void anAnswerThatIsNotAChatCompletionIsA502() {
        for (String body : List.of("", "not json", "[]", "{}", "{\"choices\":[]}", "{\"choices\":[{\"index\":0}]}",
                "{\"choices\":[{\"index\":1,\"message\":{\"content\":\"x\"}}]}")) {
            UnreadableAnswerException e = assertThrows(UnreadableAnswerException.class,
                    () -> ResponsesAnswer.translate(body.getBytes(StandardCharsets.UTF_8), context(), COMPLETED), body);
            assertEquals(502, e.error().status(), body);
            assertEquals("upstream_invalid_response", e.error().code(), body);
        }
    }

    private static JsonNode translate(String completion) throws Exception {
        return Json.MAPPER.readTree(ResponsesAnswer.translate(completion.getBytes(StandardCharsets.UTF_8), context(), COMPLETED));
    }

    private static String completion(String message, String finish, String extra) {
        return "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\",\"created\":1,\"model\":\"gpt-4o-mini-2024-07-18\","
                + "\"choices\":[{\"index\":0,\"message\":" + message + ",\"finish_reason\":\"" + finish + "\"}]" + extra + "}";
    }
}
