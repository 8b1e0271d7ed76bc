package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import io.llmrelay.openai.OpenAiError;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each mapping of {@link ResponsesRequest}, the translated chat request compared as a whole JSON
 * tree; and each refusal, its status, {@code param} and the words that tell the caller why.
 */
class ResponsesRequestTest {

    @Test
    void aStringInputWithInstructionsAndSettings() throws Exception {
        ResponsesRequest request = parse("{\"model\":\"gpt-4o-mini\",\"instructions\":\"Be brief.\",\"input\":\"Hello\","
                + "\"temperature\":0.2,\"top_p\":0.9,\"max_output_tokens\":100,\"stream\":true,"
                + "\"user\":\"u1\",\"metadata\":{\"k\":\"v\"},\"parallel_tool_calls\":false,"
                + "\"tools\":[{\"type\":\"function\",\"name\":\"f\"}]}");
        assertChat("{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"system\",\"content\":\"Be brief.\"},"
                + "{\"role\":\"user\",\"content\":\"Hello\"}],\"temperature\":0.2,\"top_p\":0.9,\"max_tokens\":100,"
                + "\"stream\":true,\"user\":\"u1\",\"metadata\":{\"k\":\"v\"},\"parallel_tool_calls\":false,"
                + "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\"}}],"
                + "\"stream_options\":{\"include_usage\":true}}", request);
        assertTrue(request.stream());
        assertEquals("gpt-4o-mini", request.model());
    }

    @Test
    void aNonStreamingRequestAsksForNoStreamOptions() throws Exception {
        ResponsesRequest request = parse("{\"input\":\"Hi\",\"stream\":false}");
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"stream\":false}", request);
        assertFalse(request.stream());
        assertNull(request.model(), "no model: the route's default decides, as for chat");
    }

    @Test
    void theTokenLimitFieldIsTheRoutesChoice() throws Exception {
        ResponsesRequest request = ResponsesRequest.parse("{\"input\":\"Hi\",\"max_output_tokens\":64}"
                .getBytes(StandardCharsets.UTF_8), ResponsesRequest.TokenLimitField.MAX_COMPLETION_TOKENS);
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"max_completion_tokens\":64}", request);
    }

    @Test
    void messageItemsOfEveryRoleAndPartType() throws Exception {
        ResponsesRequest request = parse("{\"input\":["
                + "{\"role\":\"developer\",\"content\":\"Rules.\"},"
                + "{\"type\":\"message\",\"role\":\"system\",\"content\":[{\"type\":\"input_text\",\"text\":\"More rules.\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"input_image\",\"image_url\":\"https://example.com/a.png\",\"detail\":\"low\"}]},"
                + "{\"type\":\"message\",\"role\":\"assistant\",\"id\":\"msg_1\",\"status\":\"completed\","
                + "\"content\":[{\"type\":\"output_text\",\"text\":\"A cat.\",\"annotations\":[]}]},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"One\"},"
                + "{\"type\":\"refusal\",\"refusal\":\"No more.\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"input_text\",\"text\":\"a\"},{\"type\":\"input_text\",\"text\":\"b\"}]}"
                + "]}");
        assertChat("{\"messages\":["
                + "{\"role\":\"system\",\"content\":\"Rules.\"},"
                + "{\"role\":\"system\",\"content\":\"More rules.\"},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is this?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"https://example.com/a.png\",\"detail\":\"low\"}}]},"
                + "{\"role\":\"assistant\",\"content\":\"A cat.\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":\"One\"},{\"type\":\"refusal\",\"refusal\":\"No more.\"}]},"
                + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"a\"},{\"type\":\"text\",\"text\":\"b\"}]}"
                + "]}", request);
    }

    @Test
    void functionCallsJoinTheAssistantTurnAndOutputsBecomeToolMessages() throws Exception {
        ResponsesRequest request = parse("{\"input\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":[{\"type\":\"output_text\",\"text\":\"Checking.\"}]},"
                + "{\"type\":\"function_call\",\"id\":\"fc_1\",\"call_id\":\"call_1\",\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"},"
                + "{\"type\":\"function_call\",\"call_id\":\"call_2\",\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\",\"status\":\"completed\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_1\",\"output\":\"18C\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_2\",\"output\":[{\"type\":\"input_text\",\"text\":\"21C\"}]},"
                + "{\"type\":\"function_call\",\"call_id\":\"call_3\",\"name\":\"advice\",\"arguments\":\"{}\"},"
                + "{\"type\":\"function_call_output\",\"call_id\":\"call_3\",\"output\":\"umbrella\"}"
                + "]}");
        assertChat("{\"messages\":["
                + "{\"role\":\"user\",\"content\":\"Weather in Paris and Rome?\"},"
                + "{\"role\":\"assistant\",\"content\":\"Checking.\",\"tool_calls\":["
                + "{\"id\":\"call_1\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Paris\\\"}\"}},"
                + "{\"id\":\"call_2\",\"type\":\"function\",\"function\":{\"name\":\"weather\",\"arguments\":\"{\\\"city\\\":\\\"Rome\\\"}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_1\",\"content\":\"18C\"},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_2\",\"content\":\"21C\"},"
                + "{\"role\":\"assistant\",\"content\":null,\"tool_calls\":["
                + "{\"id\":\"call_3\",\"type\":\"function\",\"function\":{\"name\":\"advice\",\"arguments\":\"{}\"}}]},"
                + "{\"role\":\"tool\",\"tool_call_id\":\"call_3\",\"content\":\"umbrella\"}"
                + "]}", request);
    }

    @Test
    void functionToolsAreNestedAndToolChoiceFollows() throws Exception {
        String tools = "\"tools\":[{\"type\":\"function\",\"name\":\"weather\",\"description\":\"Weather now\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]},"
                + "\"strict\":true},{\"type\":\"function\",\"name\":\"noop\",\"parameters\":null,\"strict\":null}]";
        String chatTools = "\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"weather\",\"description\":\"Weather now\","
                + "\"parameters\":{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},\"required\":[\"city\"]},"
                + "\"strict\":true}},{\"type\":\"function\",\"function\":{\"name\":\"noop\"}}]";
        for (String[] choice : List.of(
                new String[] {"\"auto\"", "\"auto\""},
                new String[] {"\"none\"", "\"none\""},
                new String[] {"\"required\"", "\"required\""},
                new String[] {"{\"type\":\"function\",\"name\":\"weather\"}", "{\"type\":\"function\",\"function\":{\"name\":\"weather\"}}"})) {
            assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]," + chatTools + ",\"tool_choice\":" + choice[1] + "}",
                    parse("{\"input\":\"x\"," + tools + ",\"tool_choice\":" + choice[0] + "}"));
        }
    }

    @Test
    void withoutToolsThereIsNoToolChoiceNorParallelToolCalls() throws Exception {
        for (String tools : List.of("", ",\"tools\":[]", ",\"tools\":null")) {
            assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                    parse("{\"input\":\"x\",\"tool_choice\":\"auto\",\"parallel_tool_calls\":true" + tools + "}"));
        }
    }

    @Test
    void textFormatIsResponseFormat() throws Exception {
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_schema\","
                + "\"json_schema\":{\"name\":\"answer\",\"description\":\"d\",\"schema\":{\"type\":\"object\"},\"strict\":true}},"
                + "\"verbosity\":\"low\"}",
                parse("{\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"answer\",\"description\":\"d\","
                        + "\"schema\":{\"type\":\"object\"},\"strict\":true},\"verbosity\":\"low\"}}"));
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"response_format\":{\"type\":\"json_object\"}}",
                parse("{\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_object\"}}}"));
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
                parse("{\"input\":\"x\",\"text\":{\"format\":{\"type\":\"text\"}}}"));
    }

    @Test
    void reasoningEffortIsReasoningEffort() throws Exception {
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"reasoning_effort\":\"low\"}",
                parse("{\"input\":\"x\",\"reasoning\":{\"effort\":\"low\",\"summary\":null}}"));
    }

    @Test
    void unsetStateParametersAndIgnoredOnesChangeNothing() throws Exception {
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", parse("{\"input\":\"x\",\"store\":false,"
                + "\"background\":false,\"previous_response_id\":null,\"conversation\":null,\"prompt\":null,"
                + "\"truncation\":\"auto\",\"max_tool_calls\":3,\"stream_options\":{\"include_obfuscation\":false},"
                + "\"include\":[\"reasoning.encrypted_content\",\"web_search_call.action.sources\"],\"top_logprobs\":0}"));
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", parse("{\"input\":\"x\",\"store\":null,"
                + "\"temperature\":null,\"top_p\":null,\"user\":null,\"metadata\":null,\"model\":null,\"instructions\":null}"));
    }

    @Test
    void fieldsThatAreNotResponsesOnesPassThroughLikeChatOnes() throws Exception {
        assertChat("{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"top_k\":40,\"seed\":7,\"service_tier\":\"flex\","
                + "\"prompt_cache_key\":\"k\",\"safety_identifier\":\"s\"}",
                parse("{\"input\":\"x\",\"top_k\":40,\"seed\":7,\"service_tier\":\"flex\",\"prompt_cache_key\":\"k\","
                        + "\"safety_identifier\":\"s\"}"));
    }

    @Test
    void theEchoRepeatsTheRequestOrOpenAIsDefaults() throws Exception {
        assertEquals(Json.MAPPER.readTree("{\"instructions\":null,\"max_output_tokens\":null,\"metadata\":{},"
                + "\"parallel_tool_calls\":true,\"reasoning\":null,\"temperature\":null,\"text\":{\"format\":{\"type\":\"text\"}},"
                + "\"tool_choice\":\"auto\",\"tools\":[],\"top_p\":null,\"user\":null}"), parse("{\"input\":\"x\"}").echo());
        String tools = "[{\"type\":\"function\",\"name\":\"f\",\"parameters\":{},\"strict\":false}]";
        JsonNode echo = parse("{\"input\":\"x\",\"instructions\":\"i\",\"max_output_tokens\":5,\"temperature\":1.5,"
                + "\"tools\":" + tools + ",\"tool_choice\":\"required\",\"metadata\":{\"a\":\"b\"}}").echo();
        assertEquals("i", echo.path("instructions").asText());
        assertEquals(5, echo.path("max_output_tokens").asInt());
        assertEquals(1.5, echo.path("temperature").asDouble());
        assertEquals(Json.MAPPER.readTree(tools), echo.path("tools"), "tools as the caller sent them, not chat's form");
        assertEquals("required", echo.path("tool_choice").asText());
        assertEquals("b", echo.path("metadata").path("a").asText());
    }

    @Test
    void stateTheRelayDoesNotKeepIsRefusedNamingTheParameter() {
        assertRefused("{\"input\":\"x\",\"previous_response_id\":\"resp_1\"}", "previous_response_id", "no conversation state");
        assertRefused("{\"input\":\"x\",\"conversation\":\"conv_1\"}", "conversation", "no conversation state");
        assertRefused("{\"input\":\"x\",\"conversation\":{\"id\":\"conv_1\"}}", "conversation", "no conversation state");
        assertRefused("{\"input\":\"x\",\"store\":true}", "store", "no conversation state");
        assertRefused("{\"input\":\"x\",\"background\":true}", "background", "keeps no responses");
        assertRefused("{\"input\":\"x\",\"prompt\":{\"id\":\"pmpt_1\"}}", "prompt", "no conversation state");
        assertRefused("{\"input\":\"x\",\"context_management\":[{\"type\":\"compaction\"}]}", "context_management",
                "no conversation state");
        assertRefused("{\"input\":[{\"type\":\"item_reference\",\"id\":\"msg_1\"}]}", "input[0]", "no conversation state");
    }

    @Test
    void whatCannotBeTranslatedIsRefusedNamingTheParameter() {
        assertRefused("{\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\"},{\"type\":\"web_search\"}]}",
                "tools[1].type", "only function tools");
        assertRefused("{\"input\":\"x\",\"tools\":[{\"type\":\"file_search\",\"vector_store_ids\":[]}]}",
                "tools[0].type", "'file_search'");
        assertRefused("{\"input\":\"x\",\"tool_choice\":{\"type\":\"web_search_preview\"}}", "tool_choice.type", "function");
        assertRefused("{\"input\":\"x\",\"tool_choice\":\"sometimes\"}", "tool_choice", "'auto'");
        assertRefused("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_file\",\"file_id\":\"f\"}]}]}",
                "input[0].content[0].type", "'input_image'");
        assertRefused("{\"input\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_image\",\"file_id\":\"file_1\"}]}]}",
                "input[0].content[0].file_id", "image_url");
        assertRefused("{\"input\":[{\"role\":\"system\",\"content\":[{\"type\":\"input_image\",\"image_url\":\"u\"}]}]}",
                "input[0].content[0].type", "system or developer");
        assertRefused("{\"input\":[{\"type\":\"function_call_output\",\"call_id\":\"c\",\"output\":"
                + "[{\"type\":\"input_image\",\"image_url\":\"u\"}]}]}", "input[0].output[0].type", "text only");
        assertRefused("{\"input\":[{\"type\":\"reasoning\",\"id\":\"rs_1\",\"summary\":[]}]}", "input[0].type", "'message'");
        assertRefused("{\"input\":[{\"role\":\"tool\",\"content\":\"x\"}]}", "input[0].role", "'developer'");
        assertRefused("{\"input\":\"x\",\"include\":[\"message.output_text.logprobs\"]}", "include[0]", "log probabilities");
        assertRefused("{\"input\":\"x\",\"top_logprobs\":3}", "top_logprobs", "log probabilities");
        assertRefused("{\"input\":\"x\",\"reasoning\":{\"summary\":\"auto\"}}", "reasoning.summary", "summaries");
        assertRefused("{\"input\":\"x\",\"text\":{\"format\":{\"type\":\"grammar\"}}}", "text.format.type", "'json_schema'");
        assertRefused("{\"input\":\"x\",\"text\":{\"format\":{\"type\":\"json_schema\",\"name\":\"n\"}}}",
                "text.format.schema", "Missing required parameter");
    }

    @Test
    void chatOnlyFieldsAreRefusedWithTheirResponsesName() {
        assertRefused("{\"input\":\"x\",\"messages\":[]}", "messages", "use 'input'");
        assertRefused("{\"input\":\"x\",\"max_tokens\":5}", "max_tokens", "use 'max_output_tokens'");
        assertRefused("{\"input\":\"x\",\"max_completion_tokens\":5}", "max_completion_tokens", "use 'max_output_tokens'");
        assertRefused("{\"input\":\"x\",\"response_format\":{\"type\":\"json_object\"}}", "response_format", "use 'text.format'");
        assertRefused("{\"input\":\"x\",\"n\":2}", "n", "chat completions parameter");
    }

    @Test
    void malformedRequestsNameTheFieldAndTheExpectedType() {
        assertRefused("{\"model\":\"m\"}", "input", "Missing required parameter: 'input'");
        assertRefused("{\"input\":[]}", "input", "empty array");
        assertRefused("{\"input\":42}", "input", "expected a string or an array of input items, but got an integer");
        assertRefused("{\"input\":[\"hi\"]}", "input[0]", "expected an object, but got a string");
        assertRefused("{\"input\":[{\"content\":\"x\"}]}", "input[0].role", "Missing required parameter");
        assertRefused("{\"input\":[{\"role\":\"user\"}]}", "input[0].content", "Missing required parameter");
        assertRefused("{\"input\":[{\"role\":\"user\",\"content\":7}]}", "input[0].content", "but got an integer");
        assertRefused("{\"input\":[{\"type\":\"function_call\",\"call_id\":\"c\",\"name\":\"f\"}]}",
                "input[0].arguments", "Missing required parameter");
        assertRefused("{\"input\":[{\"type\":\"function_call_output\",\"output\":\"o\"}]}", "input[0].call_id",
                "Missing required parameter");
        assertRefused("{\"input\":\"x\",\"model\":5}", "model", "expected a string");
        assertRefused("{\"input\":\"x\",\"instructions\":[\"a\"]}", "instructions", "expected a string");
        assertRefused("{\"input\":\"x\",\"tools\":{}}", "tools", "expected an array");
        assertRefused("{\"input\":\"x\",\"tools\":[{\"type\":\"function\"}]}", "tools[0].name", "Missing required parameter");
        assertRefused("{\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\",\"parameters\":\"{}\"}]}",
                "tools[0].parameters", "expected an object");
        assertRefused("{\"input\":\"x\",\"stream\":\"yes\"}", "stream", "expected a boolean");
        assertRefused("{\"input\":\"x\",\"store\":\"true\"}", "store", "expected a boolean");
        assertRefused("{\"input\":\"x\",\"max_output_tokens\":1.5}", "max_output_tokens", "expected an integer");
        assertRefused("{\"input\":\"x\",\"include\":\"all\"}", "include", "expected an array");
    }

    @Test
    void aBodyThatIsNotAUtf8JsonObjectIsRefusedLikeAChatOne() {
        for (String body : List.of("", "{", "[]", "null", "{\"input\":\"x\"} trailing")) {
            OpenAiError error = refusal(body.getBytes(StandardCharsets.UTF_8));
            assertNull(error.param(), body);
            assertTrue(error.message().contains("JSON"), error.message());
        }
        OpenAiError latin1 = refusal("{\"input\":\"caf\u00e9\"}".getBytes(StandardCharsets.ISO_8859_1));
        assertTrue(latin1.message().contains("UTF-8"), latin1.message());
        assertEquals("x\u00e9", assertDoesNotThrowParse("\uFEFF{\"input\":\"x\u00e9\"}").chatRequest()
                .path("messages").get(0).path("content").asText(), "a byte order mark is tolerated");
    }

    @Test
    void theTranslatedRequestIsACopyAndTheBodyIsNotChanged() throws Exception {
        var body = (com.fasterxml.jackson.databind.node.ObjectNode) Json.MAPPER.readTree(
                "{\"input\":\"x\",\"tools\":[{\"type\":\"function\",\"name\":\"f\"}],\"top_k\":{\"a\":1}}");
        String before = body.toString();
        ResponsesRequest request = ResponsesRequest.from(body, ResponsesRequest.TokenLimitField.MAX_TOKENS);
        request.chatRequest().put("model", "changed");
        ((com.fasterxml.jackson.databind.node.ObjectNode) request.chatRequest().path("top_k")).put("a", 2);
        assertEquals(before, body.toString());
        assertNull(request.model());
        assertEquals(1, request.chatRequest().path("top_k").path("a").asInt());
        assertEquals(request.chatRequest(), Json.MAPPER.readTree(request.chatRequestBytes()));
    }

    private static ResponsesRequest assertDoesNotThrowParse(String body) {
        try {
            return ResponsesRequest.parse(body.getBytes(StandardCharsets.UTF_8));
        } catch (InvalidRequestException e) {
            throw new AssertionError("refused: " + e.getMessage(), e);
        }
    }

    static ResponsesRequest parse(String body) throws InvalidRequestException {
        return ResponsesRequest.parse(body.getBytes(StandardCharsets.UTF_8));
    }

    private static void assertChat(String expected, ResponsesRequest request) throws Exception {
        assertEquals(Json.MAPPER.readTree(expected), request.chatRequest());
    }

    private static void assertRefused(String body, String param, String words) {
        OpenAiError error = refusal(body.getBytes(StandardCharsets.UTF_8));
        assertEquals(400, error.status(), body);
        assertEquals("invalid_request_error", error.type(), body);
        assertEquals(param, error.param(), body + " -> " + error.message());
        assertTrue(error.message().contains(words), body + " -> " + error.message());
    }

    private static OpenAiError refusal(byte[] body) {
        return assertThrows(InvalidRequestException.class, () -> ResponsesRequest.parse(body)).error();
    }
}
