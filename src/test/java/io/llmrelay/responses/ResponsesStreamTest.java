package io.llmrelay.responses;

import static io.llmrelay.responses.ResponseFixtures.COMPLETED;
import static io.llmrelay.responses.ResponseFixtures.CREATED;
import static io.llmrelay.responses.ResponseFixtures.USAGE_9_2;
import static io.llmrelay.responses.ResponseFixtures.chunk;
import static io.llmrelay.responses.ResponseFixtures.context;
import static io.llmrelay.responses.ResponseFixtures.message;
import static io.llmrelay.responses.ResponseFixtures.response;
import static io.llmrelay.responses.ResponseFixtures.tree;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.OpenAiError;
import io.llmrelay.testing.FakeUpstream.Chunks;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The stream translation event by event, each event compared as a JSON tree with what the
 * streaming events reference (https://developers.openai.com/api/reference/resources/responses/streaming-events)
 * describes for it.
 */
class ResponsesStreamTest {
    private final RecordedEvents sink = new RecordedEvents();

    private ResponsesStream stream() throws Exception {
        return new ResponsesStream(context(), sink, () -> COMPLETED);
    }

    @Test
    void aTextAnswerIsTheReferencesEventSequence() throws Exception {
        ResponsesStream stream = stream();
        assertFalse(stream.started());
        stream.accept(Chunks.role());
        assertTrue(stream.started());
        stream.accept(Chunks.content("Hel"));
        stream.accept(Chunks.content("lo"));
        stream.accept(Chunks.finish("stop"));
        stream.accept(Chunks.usage(9, 2));
        assertInstanceOf(StreamStep.Finished.class, stream.accept("[DONE]"));
        assertTrue(stream.ended());

        List<JsonNode> events = sink.all();
        String msg = "msg_req1_0";
        List<String> expected = List.of(
                "{\"type\":\"response.created\",\"sequence_number\":0,\"response\":" + response("in_progress", "[]", "null") + "}",
                "{\"type\":\"response.in_progress\",\"sequence_number\":1,\"response\":" + response("in_progress", "[]", "null") + "}",
                "{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,\"item\":"
                        + "{\"id\":\"" + msg + "\",\"type\":\"message\",\"status\":\"in_progress\",\"content\":[],\"role\":\"assistant\"}}",
                "{\"type\":\"response.content_part.added\",\"sequence_number\":3,\"item_id\":\"" + msg + "\",\"output_index\":0,"
                        + "\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"\"}}",
                "{\"type\":\"response.output_text.delta\",\"sequence_number\":4,\"item_id\":\"" + msg + "\",\"output_index\":0,"
                        + "\"content_index\":0,\"delta\":\"Hel\",\"logprobs\":[]}",
                "{\"type\":\"response.output_text.delta\",\"sequence_number\":5,\"item_id\":\"" + msg + "\",\"output_index\":0,"
                        + "\"content_index\":0,\"delta\":\"lo\",\"logprobs\":[]}",
                "{\"type\":\"response.output_text.done\",\"sequence_number\":6,\"item_id\":\"" + msg + "\",\"output_index\":0,"
                        + "\"content_index\":0,\"text\":\"Hello\",\"logprobs\":[]}",
                "{\"type\":\"response.content_part.done\",\"sequence_number\":7,\"item_id\":\"" + msg + "\",\"output_index\":0,"
                        + "\"content_index\":0,\"part\":{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],\"text\":\"Hello\"}}",
                "{\"type\":\"response.output_item.done\",\"sequence_number\":8,\"output_index\":0,\"item\":" + message(msg, "Hello") + "}",
                "{\"type\":\"response.completed\",\"sequence_number\":9,\"response\":"
                        + response("completed", "[" + message(msg, "Hello") + "]", USAGE_9_2) + "}");
        assertEquals(expected.size(), events.size(), sink.types().toString());
        for (int i = 0; i < expected.size(); i++) {
            assertEquals(Json.MAPPER.readTree(expected.get(i)), events.get(i), "event " + i);
        }
    }

    @Test
    void eachUpstreamChunkIsOneWriteAndTextIsNeverHeldBack() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.role());
        assertEquals(1, sink.writeCount(), "the first chunk starts the response at once");
        assertEquals(List.of("response.created", "response.in_progress"), types(sink.write(0)));
        stream.accept(Chunks.content("Hi"));
        assertEquals(2, sink.writeCount());
        assertEquals(List.of("response.output_item.added", "response.content_part.added", "response.output_text.delta"),
                types(sink.write(1)));
        stream.accept(Chunks.content(" there"));
        assertEquals(List.of("response.output_text.delta"), types(sink.write(2)));
        assertEquals(" there", sink.write(2).get(0).path("delta").asText());
        stream.accept(Chunks.usage(1, 1)); // no event of its own: remembered for the end
        assertEquals(3, sink.writeCount(), "a chunk that causes no event causes no write");
    }

    @Test
    void aToolCallIsAFunctionCallItemWithArgumentDeltas() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.role());
        stream.accept(Chunks.toolCallStart(0, "call_abc", "get_weather"));
        stream.accept(Chunks.toolCallArguments(0, "{\"city\":"));
        stream.accept(Chunks.toolCallArguments(0, "\"Paris\"}"));
        stream.accept(Chunks.finish("tool_calls"));
        stream.accept("[DONE]");

        List<JsonNode> events = sink.all();
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed"), sink.types());
        String fc = "fc_req1_0";
        assertEquals(tree("{\"type\":\"response.output_item.added\",\"sequence_number\":2,\"output_index\":0,\"item\":"
                + "{\"id\":\"" + fc + "\",\"type\":\"function_call\",\"status\":\"in_progress\",\"arguments\":\"\","
                + "\"call_id\":\"call_abc\",\"name\":\"get_weather\"}}"), events.get(2));
        assertEquals(tree("{\"type\":\"response.function_call_arguments.delta\",\"sequence_number\":3,\"item_id\":\""
                + fc + "\",\"output_index\":0,\"delta\":\"{\\\"city\\\":\"}"), events.get(3));
        String done = "{\"id\":\"" + fc + "\",\"type\":\"function_call\",\"status\":\"completed\","
                + "\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\",\"call_id\":\"call_abc\",\"name\":\"get_weather\"}";
        assertEquals(tree("{\"type\":\"response.function_call_arguments.done\",\"sequence_number\":5,\"item_id\":\""
                + fc + "\",\"output_index\":0,\"name\":\"get_weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}"),
                events.get(5));
        assertEquals(tree("{\"type\":\"response.output_item.done\",\"sequence_number\":6,\"output_index\":0,\"item\":"
                + done + "}"), events.get(6));
        assertEquals(tree(response("completed", "[" + done + "]", "null")), events.get(7).get("response"));
    }

    @Test
    void textBeforeToolCallsIsClosedWhenTheFirstCallStarts() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.content("Let me check."));
        stream.accept(Chunks.toolCallStart(0, "call_1", "a"));
        stream.accept(Chunks.toolCallStart(1, "call_2", "b"));
        stream.accept(Chunks.toolCallArguments(0, "{}"));
        stream.accept(Chunks.toolCallArguments(1, "{\"x\":1}"));
        stream.accept(Chunks.finish("tool_calls"));
        stream.accept("[DONE]");
        List<String> types = sink.types();
        assertEquals(List.of("response.created", "response.in_progress",
                "response.output_item.added", "response.content_part.added", "response.output_text.delta",
                "response.output_text.done", "response.content_part.done", "response.output_item.done",
                "response.output_item.added", "response.output_item.added",
                "response.function_call_arguments.delta", "response.function_call_arguments.delta",
                "response.function_call_arguments.done", "response.output_item.done",
                "response.function_call_arguments.done", "response.output_item.done", "response.completed"), types);
        JsonNode output = sink.all().get(types.size() - 1).path("response").path("output");
        assertEquals(3, output.size());
        assertEquals("msg_req1_0", output.get(0).path("id").asText());
        assertEquals("fc_req1_1", output.get(1).path("id").asText());
        assertEquals("{}", output.get(1).path("arguments").asText());
        assertEquals("fc_req1_2", output.get(2).path("id").asText());
        assertEquals("{\"x\":1}", output.get(2).path("arguments").asText(), "interleaved pieces go to their own call");
    }

    @Test
    void finishReasonLengthEndsWithResponseIncomplete() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.content("Once upon a"));
        stream.accept(Chunks.finish("length"));
        stream.accept("[DONE]");
        JsonNode last = sink.all().get(sink.all().size() - 1);
        assertEquals("response.incomplete", last.path("type").asText());
        JsonNode response = last.path("response");
        assertEquals("incomplete", response.path("status").asText());
        assertEquals(tree("{\"reason\":\"max_output_tokens\"}"), response.path("incomplete_details"));
        assertFalse(response.has("completed_at"), "completed_at is only for completed responses");
        assertEquals("incomplete", response.path("output").get(0).path("status").asText());
    }

    @Test
    void aContentFilterStopIsIncompleteToo() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.content("x"));
        stream.accept(Chunks.finish("content_filter"));
        stream.finish(); // the body ended without [DONE]
        JsonNode response = sink.all().get(sink.all().size() - 1).path("response");
        assertEquals(tree("{\"reason\":\"content_filter\"}"), response.path("incomplete_details"));
    }

    @Test
    void aFailureAfterTheStartIsAnErrorEventThenResponseFailed() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.content("Part"));
        StreamStep step = stream.accept(Chunks.error("The server had an error.", "server_error", null));
        OpenAiError error = assertInstanceOf(StreamStep.UpstreamFailed.class, step).error();
        assertEquals(502, error.status());
        assertEquals("The server had an error.", error.message());
        assertEquals(1, sink.writeCount(), "an upstream error is handed back, not written");
        stream.fail(error);
        assertTrue(stream.ended());
        assertEquals(2, sink.writeCount(), "error and response.failed leave together");
        List<JsonNode> last = sink.write(1);
        assertEquals(tree("{\"type\":\"error\",\"sequence_number\":5,\"code\":\"server_error\",\"message\":"
                + "\"The server had an error.\",\"param\":null,\"error\":{\"type\":\"server_error\",\"code\":\"server_error\","
                + "\"message\":\"The server had an error.\",\"param\":null}}"), last.get(0));
        JsonNode failed = last.get(1);
        assertEquals("response.failed", failed.path("type").asText());
        assertEquals(6, failed.path("sequence_number").asInt());
        ObjectNode expected = (ObjectNode) tree(response("failed", "[{\"id\":\"msg_req1_0\",\"type\":\"message\","
                + "\"status\":\"incomplete\",\"content\":[{\"type\":\"output_text\",\"annotations\":[],\"logprobs\":[],"
                + "\"text\":\"Part\"}],\"role\":\"assistant\"}]", "null"));
        expected.set("error", tree("{\"code\":\"server_error\",\"message\":\"The server had an error.\"}"));
        assertEquals(expected, failed.path("response"));
        assertThrows(IllegalStateException.class, () -> stream.accept(Chunks.content("more")));
    }

    @Test
    void aRelayErrorKeepsItsCodeAndTypeInTheErrorEvent() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(Chunks.role());
        stream.fail(OpenAiError.upstreamTimeout("The upstream of route 'r' sent nothing for 100 ms."));
        JsonNode event = sink.all().get(2);
        assertEquals("upstream_timeout", event.path("code").asText());
        assertEquals("api_error", event.path("error").path("type").asText());
        assertEquals("upstream_timeout", sink.all().get(3).path("response").path("error").path("code").asText());
    }

    @Test
    void beforeTheFirstByteAFailureIsTheCallersToAnswer() throws Exception {
        ResponsesStream stream = stream();
        StreamStep step = stream.accept(Chunks.error("Rate limit reached", "requests", "rate_limit_exceeded"));
        assertInstanceOf(StreamStep.UpstreamFailed.class, step);
        assertFalse(stream.started(), "nothing was sent: the relay can still answer with an HTTP status");
        assertEquals(0, sink.writeCount());
        assertThrows(IllegalStateException.class, () -> stream.fail(OpenAiError.internal("x")));
    }

    @Test
    void aPayloadThatIsNotAJsonObjectIsAnInvalidUpstreamResponse() throws Exception {
        for (String data : List.of("not json", "[1,2]", "\"text\"", "42", "{\"a\":1} {}")) {
            ResponsesStream stream = stream();
            OpenAiError error = assertInstanceOf(StreamStep.UpstreamFailed.class, stream.accept(data)).error();
            assertEquals("upstream_invalid_response", error.code(), data);
        }
    }

    @Test
    void anErrorAsAStringOrWithoutTypeIsStillAnError() throws Exception {
        OpenAiError text = assertInstanceOf(StreamStep.UpstreamFailed.class, stream().accept("{\"error\":\"boom\"}")).error();
        assertEquals("boom", text.message());
        assertEquals("api_error", text.type());
        OpenAiError numeric = assertInstanceOf(StreamStep.UpstreamFailed.class,
                stream().accept("{\"error\":{\"message\":\"m\",\"code\":429}}")).error();
        assertEquals("429", numeric.code());
        assertInstanceOf(StreamStep.Continue.class, stream().accept("{\"error\":null,\"choices\":[]}"));
    }

    @Test
    void aRefusalIsARefusalPart() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(chunk("{\"refusal\":\"I can't\"}", null));
        stream.accept(chunk("{\"refusal\":\" help.\"}", null));
        stream.accept(chunk("{}", "stop"));
        stream.accept("[DONE]");
        assertEquals(List.of("response.created", "response.in_progress", "response.output_item.added",
                "response.content_part.added", "response.refusal.delta", "response.refusal.delta", "response.refusal.done",
                "response.content_part.done", "response.output_item.done", "response.completed"), sink.types());
        JsonNode content = sink.all().get(9).path("response").path("output").get(0).path("content");
        assertEquals(tree("[{\"type\":\"refusal\",\"refusal\":\"I can't help.\"}]"), content);
    }

    @Test
    void aToolCallWhoseNameComesLateIsAddedOnceItHasOne() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(chunk("{\"tool_calls\":[{\"index\":0,\"id\":\"call_9\",\"function\":{\"arguments\":\"{\\\"a\\\"\"}}]}", null));
        assertEquals(List.of("response.created", "response.in_progress"), sink.types());
        stream.accept(chunk("{\"tool_calls\":[{\"index\":0,\"function\":{\"name\":\"f\",\"arguments\":\":1}\"}}]}", null));
        stream.accept("[DONE]");
        JsonNode item = sink.all().get(sink.all().size() - 1).path("response").path("output").get(0);
        assertEquals("f", item.path("name").asText());
        assertEquals("call_9", item.path("call_id").asText());
        assertEquals("{\"a\":1}", item.path("arguments").asText());
    }

    @Test
    void aToolCallWithoutIdGetsOne() throws Exception {
        ResponsesStream stream = stream();
        stream.accept(chunk("{\"tool_calls\":[{\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}", "tool_calls"));
        stream.accept("[DONE]");
        JsonNode item = sink.all().get(sink.all().size() - 1).path("response").path("output").get(0);
        assertEquals("call_req1_0", item.path("call_id").asText());
    }

    @Test
    void anUpstreamThatSendsNothingStillEndsTheResponse() throws Exception {
        ResponsesStream stream = stream();
        stream.finish();
        assertEquals(List.of("response.created", "response.in_progress", "response.completed"), sink.types());
        JsonNode response = sink.all().get(2).path("response");
        assertEquals("gpt-4o-mini", response.path("model").asText(), "no chunk named a model: the one asked for");
        assertEquals(0, response.path("output").size());
    }

    private static List<String> types(List<JsonNode> events) {
        return events.stream().map(e -> e.path("type").asText()).toList();
    }
}
