package io.llmrelay.upstream.translation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.llmrelay.json.Json;
import io.llmrelay.openai.InvalidRequestException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parameter table and the message mapping shared by both providers, row by row. */
class ChatRequestReaderTest {
    private static ChatRequest read(String json) throws Exception {
        return ChatRequestReader.read(Json.MAPPER.readTree(json), "Test API");
    }

    private static String param(String json) throws Exception {
        return assertThrows(InvalidRequestException.class, () -> read(json)).error().param();
    }

    private static String with(String fields) {
        return "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], " + fields + "}";
    }

    @Test
    void parametersThatChangeTheAnswerAreRefusedUnlessTheyAskForTheDefault() throws Exception {
        Map<String, String> refused = Map.of("\"n\": 3", "n", "\"logprobs\": true", "logprobs", "\"top_logprobs\": 2",
                "top_logprobs", "\"response_format\": {\"type\": \"json_schema\"}", "response_format",
                "\"modalities\": [\"text\", \"audio\"]", "modalities", "\"audio\": {\"voice\": \"x\"}", "audio",
                "\"functions\": []", "functions", "\"logit_bias\": {\"50256\": -100}", "logit_bias",
                "\"web_search_options\": {}", "web_search_options");
        for (Map.Entry<String, String> row : refused.entrySet()) {
            assertEquals(row.getValue(), param(with(row.getKey())), row.getKey());
        }
        for (String harmless : List.of("\"n\": 1", "\"logprobs\": false", "\"top_logprobs\": 0",
                "\"response_format\": {\"type\": \"text\"}", "\"modalities\": [\"text\"]", "\"logit_bias\": {}",
                "\"n\": null")) {
            assertEquals(List.of(), read(with(harmless)).dropped(), harmless);
        }
    }

    @Test
    void tuningOnlyAndUnknownParametersAreDroppedAndListed() throws Exception {
        ChatRequest request = read(with("\"seed\": 1, \"user\": \"u\", \"service_tier\": \"auto\", \"store\": true,"
                + " \"frequency_penalty\": 0.5, \"x_vendor\": 1, \"temperature\": 0.3"));
        assertEquals(List.of("seed", "user", "service_tier", "store", "frequency_penalty", "x_vendor"), request.dropped());
        assertEquals(0.3, request.temperature().asDouble());
    }

    @Test
    void maxCompletionTokensWinsAndBothMustBePositiveIntegers() throws Exception {
        assertEquals(50, read(with("\"max_tokens\": 9, \"max_completion_tokens\": 50")).maxTokens());
        assertEquals(9, read(with("\"max_tokens\": 9")).maxTokens());
        assertEquals(null, read(with("\"stream\": true")).maxTokens());
        assertEquals("max_tokens", param(with("\"max_tokens\": 0")));
        assertEquals("max_completion_tokens", param(with("\"max_completion_tokens\": 1.5")));
        assertEquals("temperature", param(with("\"temperature\": \"hot\"")));
        assertEquals("stop", param(with("\"stop\": [1]")));
        assertEquals(List.of("a", "b"), read(with("\"stop\": [\"a\", \"b\"]")).stop());
    }

    @Test
    void messagesBecomeSystemTextAndAlternatingTurns() throws Exception {
        ChatRequest request = read("""
                {"model": "m", "messages": [
                  {"role": "system", "content": "S1"},
                  {"role": "user", "content": "U1"},
                  {"role": "developer", "content": [{"type": "text", "text": "S2"}]},
                  {"role": "user", "content": [{"type": "text", "text": ""}, {"type": "text", "text": "U2"}]},
                  {"role": "assistant", "content": null, "tool_calls": [
                     {"id": "c1", "type": "function", "function": {"name": "f", "arguments": "{\\"x\\": 1}"}},
                     {"id": "c2", "type": "function", "function": {"name": "g", "arguments": ""}}]},
                  {"role": "tool", "tool_call_id": "c1", "content": "r1"},
                  {"role": "tool", "tool_call_id": "c2", "content": [{"type": "text", "text": "r2"}]},
                  {"role": "user", "content": [{"type": "image_url", "image_url": {"url": "data:image/jpg;base64,AAAA"}}]}]}""");
        assertEquals(List.of("S1", "S2"), request.system());
        assertEquals(3, request.turns().size(), "user, assistant, user: same-role messages merged");
        assertEquals(List.of(new ChatRequest.Text("U1"), new ChatRequest.Text("U2")), request.turns().get(0).parts());
        List<ChatRequest.Part> calls = request.turns().get(1).parts();
        assertEquals(new ChatRequest.ToolUse("c1", "f", Json.MAPPER.readTree("{\"x\": 1}")), calls.get(0));
        assertEquals(new ChatRequest.ToolUse("c2", "g", Json.object()), calls.get(1));
        List<ChatRequest.Part> results = request.turns().get(2).parts();
        assertEquals(new ChatRequest.ToolResult("c1", "r1"), results.get(0));
        assertEquals(new ChatRequest.ToolResult("c2", "r2"), results.get(1));
        ChatRequest.Image image = assertInstanceOf(ChatRequest.Image.class, results.get(2));
        assertEquals(new ChatRequest.InlineImage("image/jpeg", "AAAA"), image.source());
        assertEquals("messages[7].content[0].image_url.url", image.param());
    }

    @Test
    void whatCannotBeTranslatedIsRefusedNamingWhere() throws Exception {
        assertEquals("messages[0].role", param("{\"messages\": [{\"role\": \"function\", \"content\": \"x\"}]}"));
        assertEquals("messages[0].content[0].type", param("{\"messages\": [{\"role\": \"user\", \"content\": ["
                + "{\"type\": \"input_audio\", \"input_audio\": {}}]}]}"));
        assertEquals("messages[0].content[0].type", param("{\"messages\": [{\"role\": \"system\", \"content\": ["
                + "{\"type\": \"image_url\", \"image_url\": {\"url\": \"https://x/y.png\"}}]}]}"));
        assertEquals("messages[0].content[0].image_url.url", param("{\"messages\": [{\"role\": \"user\", \"content\": ["
                + "{\"type\": \"image_url\", \"image_url\": {\"url\": \"data:image/bmp;base64,AA\"}}]}]}"));
        assertEquals("messages[1].tool_call_id", param("{\"messages\": [{\"role\": \"user\", \"content\": \"x\"},"
                + " {\"role\": \"tool\", \"content\": \"r\"}]}"));
        assertEquals("messages[0].tool_calls[0].function.arguments", param("{\"messages\": [{\"role\": \"assistant\","
                + " \"tool_calls\": [{\"id\": \"c\", \"function\": {\"name\": \"f\", \"arguments\": \"{oops\"}}]}]}"));
        assertEquals("tools[0].type", param(with("\"tools\": [{\"type\": \"custom\", \"custom\": {}}]")));
        assertEquals("tool_choice", param(with("\"tool_choice\": \"required\"")));
        assertEquals("messages", param("{\"messages\": [{\"role\": \"system\", \"content\": \"only a system prompt\"}]}"));
    }

    @Test
    void toolChoiceTable() throws Exception {
        String tools = "\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": ";
        assertInstanceOf(ChatRequest.Auto.class, read(with(tools + "\"auto\"")).toolChoice());
        assertInstanceOf(ChatRequest.NoTool.class, read(with(tools + "\"none\"")).toolChoice());
        assertInstanceOf(ChatRequest.AnyTool.class, read(with(tools + "\"required\"")).toolChoice());
        assertEquals(new ChatRequest.NamedTool("f"),
                read(with(tools + "{\"type\": \"function\", \"function\": {\"name\": \"f\"}}")).toolChoice());
        assertEquals("tool_choice", param(with(tools + "{\"type\": \"allowed_tools\"}")));
    }
}
