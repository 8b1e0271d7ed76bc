package io.llmrelay.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChatCompletionRequestTest {
    private static final String HELLO = "[{\"role\":\"user\",\"content\":\"hi\"}]";

    @Test
    void readsModelAndStreamingChoices() throws Exception {
        ChatCompletionRequest request = parse("{\"model\":\"gpt-4o\",\"messages\":" + HELLO
                + ",\"stream\":true,\"stream_options\":{\"include_usage\":true}}");
        assertEquals("gpt-4o", request.model());
        assertTrue(request.stream());
        assertTrue(request.includeUsage());
    }

    @Test
    void defaultsWhenOptionalFieldsAreAbsentOrNull() throws Exception {
        ChatCompletionRequest absent = parse("{\"messages\":" + HELLO + "}");
        assertNull(absent.model());
        assertFalse(absent.stream());
        assertFalse(absent.includeUsage());
        ChatCompletionRequest nulls = parse("{\"model\":null,\"stream\":null,\"stream_options\":null,\"n\":null,"
                + "\"messages\":" + HELLO + "}");
        assertNull(nulls.model());
        assertFalse(nulls.stream());
    }

    @Test
    void rejectsABodyThatIsNotAJsonObject() {
        for (String body : List.of("", "{", "[]", "\"text\"", "null", "{\"messages\":" + HELLO + "} trailing")) {
            OpenAiError error = reject(body);
            assertEquals(400, error.status(), body);
            assertEquals("invalid_request_error", error.type(), body);
            assertNull(error.param(), body);
            assertTrue(error.message().contains("JSON"), error.message());
        }
    }

    @Test
    void requiresANonEmptyArrayOfMessagesWithRoles() {
        assertEquals("messages", reject("{\"model\":\"m\"}").param());
        assertEquals("messages", reject("{\"messages\":\"hi\"}").param());
        assertEquals("messages", reject("{\"messages\":[]}").param());
        assertEquals("messages[1]", reject("{\"messages\":[{\"role\":\"user\"},\"hi\"]}").param());
        OpenAiError noRole = reject("{\"messages\":[{\"role\":\"system\"},{\"role\":\"user\"},{\"role\":\"assistant\"},"
                + "{\"content\":\"no role\"}]}");
        assertEquals("messages[3].role", noRole.param());
        assertEquals("Missing required parameter: 'messages[3].role'.", noRole.message());
        assertEquals("messages[0].role", reject("{\"messages\":[{\"role\":7}]}").param());
    }

    @Test
    void checksTheTypesOfFieldsTheRelayReads() {
        assertEquals("model", reject("{\"model\":4,\"messages\":" + HELLO + "}").param());
        OpenAiError stream = reject("{\"stream\":\"true\",\"messages\":" + HELLO + "}");
        assertEquals("stream", stream.param());
        assertEquals("Invalid type for 'stream': expected a boolean, but got a string instead.", stream.message());
        assertEquals("stream_options", reject("{\"stream_options\":[],\"messages\":" + HELLO + "}").param());
        assertEquals("n", reject("{\"n\":0,\"messages\":" + HELLO + "}").param());
        assertEquals("n", reject("{\"n\":1.5,\"messages\":" + HELLO + "}").param());
        assertEquals("n", reject("{\"n\":\"2\",\"messages\":" + HELLO + "}").param());
    }

    @Test
    void acceptsAnyPositiveIntegerN() throws Exception {
        parse("{\"n\":2,\"messages\":" + HELLO + "}");
        parse("{\"n\":3.0,\"messages\":" + HELLO + "}");
    }

    @Test
    void passesEverythingElseThroughUntouched() throws Exception {
        String body = "{\"model\":\"mine\",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"what?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}],"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{\"type\":\"object\"}}}],"
                + "\"tool_choice\":\"auto\",\"response_format\":{\"type\":\"json_object\"},\"temperature\":0.7,"
                + "\"max_completion_tokens\":123,\"seed\":12345678901234,\"x_vendor\":{\"a\":[1,null,true]}}";
        JsonNode upstream = tree(parse(body).toUpstreamBody(null, List.of()));
        assertEquals(tree(body), upstream);
    }

    @Test
    void setsTheUpstreamModelAndDropsTheNamedFields() throws Exception {
        ChatCompletionRequest request = parse("{\"model\":\"alias\",\"messages\":" + HELLO + ",\"call\":{\"id\":\"c\"},"
                + "\"phoneNumber\":{},\"customer\":{\"number\":\"+1\"},\"metadata\":{\"k\":\"v\"},\"temperature\":1}");
        ObjectNode expected = (ObjectNode) tree("{\"model\":\"gpt-4o-mini\",\"messages\":" + HELLO + ",\"temperature\":1}");
        assertEquals(expected, tree(request.toUpstreamBody("gpt-4o-mini", ChatCompletionRequest.DEFAULT_DROPPED_FIELDS)));
        // The request itself is unchanged, so it can be rewritten again (another route, a retry).
        assertEquals("alias", request.model());
        assertEquals("v", tree(request.toUpstreamBody(null, List.of())).path("metadata").path("k").asText());
    }

    @Test
    void addsTheModelWhenTheCallerSentNone() throws Exception {
        JsonNode upstream = tree(parse("{\"messages\":" + HELLO + "}").toUpstreamBody("m1", List.of()));
        assertEquals("m1", upstream.path("model").asText());
    }

    @Test
    void everyFieldTheRelayDoesNotOwnReachesTheUpstreamAsTheCallerWroteIt() throws Exception {
        String members = "\"temperature\" : 1e309, \"top_p\":-0, \"x_tiny\":4.9e-324000, \"x_digits\":"
                + "0.10000000000000000000000000000000000001, \"x_big\":123456789012345678901234567890,"
                + "\"x_exp\":1E+5, \"x_neg\":-0.0e-0, \"x_escapes\":\"caf\\u00e9 \\/ \\ud83d\\ude00 \u00e9\","
                + " \"x_nested\":{\"b\":1,\"a\":[1.50,{\"z\":null,\"z\":2}]}";
        String body = "{ \"model\":\"alias\", \"messages\":" + HELLO + ", " + members + ", \"metadata\":{} }";

        String upstream = new String(parse(body).toUpstreamBody("gpt-4o-mini", List.of("metadata")), StandardCharsets.UTF_8);

        assertEquals("{\"model\":\"gpt-4o-mini\",\"messages\":" + HELLO + "," + members.replace(", \"", ",\"") + "}", upstream);
    }

    @Test
    void aLargeBodyReadThroughTheParsersBufferRefillsIsCopiedExactlyToo() throws Exception {
        // Past Jackson's first buffer, offsets come from later refills: the members after it must still line up.
        String big = "\"" + "abc\\u00e9 ".repeat(60_000) + "\"";
        String body = "{\"messages\":[{\"role\":\"user\",\"content\":" + big + "}],\n \"x_after\" :\t1e309 ,"
                + "\"model\":\"m\",\"x_last\":[-0]}";
        assertEquals(body.replace(",\n \"x_after\"", ",\"x_after\"").replace("1e309 ,", "1e309,"),
                new String(parse(body).toUpstreamBody(null, List.of()), StandardCharsets.UTF_8));
    }

    @Test
    void aTopLevelNameGivenTwiceIsSentOnceWithTheValueTheRelayRead() throws Exception {
        ChatCompletionRequest request = parse("{\"stream\":false,\"messages\":" + HELLO + ",\"stream\":true,\"model\":\"m\"}");
        assertTrue(request.stream());
        assertEquals("{\"messages\":" + HELLO + ",\"stream\":true,\"model\":\"m\"}",
                new String(request.toUpstreamBody(null, List.of()), StandardCharsets.UTF_8));
    }

    private static ChatCompletionRequest parse(String body) throws InvalidRequestException {
        return ChatCompletionRequest.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static OpenAiError reject(String body) {
        return assertThrows(InvalidRequestException.class, () -> parse(body), body).error();
    }

    private static JsonNode tree(byte[] json) throws IOException {
        return Json.MAPPER.readTree(json);
    }

    private static JsonNode tree(String json) throws IOException {
        return Json.MAPPER.readTree(json);
    }

    // Asking for usage: one member edited, every other character the caller's.

    @Test
    void asksForUsageByAddingStreamOptionsLast() throws Exception {
        String body = "{\"model\" : \"m\", \"stream\":true,\"messages\":" + HELLO + ", \"x\": 1e309 }";
        assertEquals("{\"model\" : \"m\",\"stream\":true,\"messages\":" + HELLO + ",\"x\": 1e309,"
                + "\"stream_options\":{\"include_usage\":true}}", upstream(body, List.of()));
    }

    @Test
    void mergesIntoTheCallersStreamOptionsKeepingItsOtherMembersAsWritten() throws Exception {
        String body = "{\"stream\":true,\"stream_options\": { \"include_usage\" : false , \"x_rate\" : 1.50E2,"
                + " \"inc\\u006cude_usage\": false, \"y\": {\"z\": [ 1 ]} },\"messages\":" + HELLO + "}";
        assertEquals("{\"stream\":true,\"stream_options\":{\"x_rate\" : 1.50E2,\"y\": {\"z\": [ 1 ]},"
                + "\"include_usage\":true},\"messages\":" + HELLO + "}", upstream(body, List.of()));
        String nulled = "{\"stream\":true,\"stream_options\":null,\"messages\":" + HELLO + "}";
        assertEquals("{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":" + HELLO + "}",
                upstream(nulled, List.of()));
    }

    @Test
    void leavesTheBodyAloneWhenTheCallerAskedOrCannotBeAsked() throws Exception {
        String asked = "{\"stream\":true,\"stream_options\":{\"include_usage\":true},\"messages\":" + HELLO + "}";
        assertEquals(asked, upstream(asked, List.of()));
        String whole = "{\"stream\":false,\"messages\":" + HELLO + "}";
        assertEquals(whole, upstream(whole, List.of()), "only streams have a usage chunk to ask for");
        String dropped = "{\"stream\":true,\"stream_options\":{\"x\":1},\"messages\":" + HELLO + "}";
        assertEquals("{\"stream\":true,\"messages\":" + HELLO + "}", upstream(dropped, List.of("stream_options")),
                "a route that drops stream_options does not get it back");
        ChatCompletionRequest request = parse(asked);
        assertFalse(request.needsUsageAsked(List.of()));
        assertEquals(dropped, new String(parse(dropped).toUpstreamBody(null, List.of(), false), StandardCharsets.UTF_8),
                "askUsage false: the plain body");
    }

    private static String upstream(String body, List<String> drop) throws Exception {
        return new String(parse(body).toUpstreamBody(null, drop, true), StandardCharsets.UTF_8);
    }
}
