package io.llmrelay.upstream.anthropic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.StreamFailure;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The request mapping and the error table of AnthropicRequestTranslator and AnthropicErrors, row by row. */
class AnthropicTranslationTest {
    private static JsonNode translate(String openAi) throws Exception {
        return AnthropicRequestTranslator.translate(openAi.getBytes(StandardCharsets.UTF_8), 1024);
    }

    @Test
    void aFullRequestTranslatesAsTheMappingTableSays() throws Exception {
        JsonNode body = translate("""
                {"model": "claude-x", "stream": true, "max_completion_tokens": 99, "top_p": 0.5, "stop": ["A", "B"],
                 "parallel_tool_calls": false,
                 "tools": [{"type": "function", "function": {"name": "f", "description": "d",
                            "parameters": {"type": "object", "properties": {"q": {"type": "string"}}}}}],
                 "messages": [
                   {"role": "system", "content": "sys"},
                   {"role": "user", "content": [{"type": "text", "text": "look"},
                      {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}},
                      {"type": "image_url", "image_url": {"url": "data:image/webp;base64,UklGR"}}]},
                   {"role": "assistant", "content": "calling", "tool_calls": [
                      {"id": "toolu_1", "type": "function", "function": {"name": "f", "arguments": "{\\"q\\": \\"x\\"}"}}]},
                   {"role": "tool", "tool_call_id": "toolu_1", "content": "42"},
                   {"role": "user", "content": "thanks"}]}""");
        assertEquals(Json.MAPPER.readTree("""
                {"model": "claude-x", "max_tokens": 99, "system": [{"type": "text", "text": "sys"}],
                 "messages": [
                   {"role": "user", "content": [{"type": "text", "text": "look"},
                      {"type": "image", "source": {"type": "url", "url": "https://example.com/a.png"}},
                      {"type": "image", "source": {"type": "base64", "media_type": "image/webp", "data": "UklGR"}}]},
                   {"role": "assistant", "content": [{"type": "text", "text": "calling"},
                      {"type": "tool_use", "id": "toolu_1", "name": "f", "input": {"q": "x"}}]},
                   {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_1", "content": "42"},
                      {"type": "text", "text": "thanks"}]}],
                 "top_p": 0.5, "stop_sequences": ["A", "B"],
                 "tools": [{"name": "f", "description": "d",
                            "input_schema": {"type": "object", "properties": {"q": {"type": "string"}}}}],
                 "tool_choice": {"type": "auto", "disable_parallel_tool_use": true},
                 "stream": true}"""), body);
    }

    @Test
    void toolChoiceTableAndTheDefaultMaxTokens() throws Exception {
        String base = "{\"model\": \"m\", \"messages\": [{\"role\": \"user\", \"content\": \"x\"}],"
                + " \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}], \"tool_choice\": ";
        Map<String, String> table = Map.of("\"auto\"", "{\"type\":\"auto\"}", "\"none\"", "{\"type\":\"none\"}",
                "\"required\"", "{\"type\":\"any\"}",
                "{\"type\": \"function\", \"function\": {\"name\": \"f\"}}", "{\"type\":\"tool\",\"name\":\"f\"}");
        for (Map.Entry<String, String> row : table.entrySet()) {
            JsonNode body = translate(base + row.getKey() + "}");
            assertEquals(Json.MAPPER.readTree(row.getValue()), body.path("tool_choice"), row.getKey());
            assertEquals(1024, body.path("max_tokens").asInt(), "Anthropic requires max_tokens: the route's default");
        }
    }

    @Test
    void theErrorTable() {
        String[][] rows = {
                {"400", "invalid_request_error", "400", null}, {"401", "authentication_error", "401", "upstream_authentication_failed"},
                {"403", "permission_error", "403", "upstream_permission_denied"}, {"404", "not_found_error", "404", "model_not_found"},
                {"413", "request_too_large", "413", "request_too_large"}, {"429", "rate_limit_error", "429", "rate_limit_exceeded"},
                {"500", "api_error", "502", "upstream_unavailable"}, {"529", "overloaded_error", "503", "upstream_overloaded"},
                {"0", "overloaded_error", "503", "upstream_overloaded"}, {"529", null, "503", "upstream_overloaded"},
                {"400", "billing_error", "400", null}, {"418", "teapot_error", "502", "upstream_error"},
                {"0", "brand_new_error", "502", "upstream_error"}};
        for (String[] row : rows) {
            StreamFailure failure = AnthropicErrors.failure(Integer.parseInt(row[0]), row[1], "msg", "r");
            assertEquals(Integer.parseInt(row[2]), failure.error().status(), String.join(" ", java.util.Arrays.toString(row)));
            assertEquals(row[3], failure.error().code(), java.util.Arrays.toString(row));
            assertEquals(row[2].equals("429") || row[2].equals("502") && "upstream_unavailable".equals(row[3])
                    || row[2].equals("503"), failure.retryable(), java.util.Arrays.toString(row));
        }
    }
}
