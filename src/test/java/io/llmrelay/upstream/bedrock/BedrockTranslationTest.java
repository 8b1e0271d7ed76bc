package io.llmrelay.upstream.bedrock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.upstream.translation.StreamFailure;
import io.llmrelay.upstream.translation.TranslationNotes;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The request mapping, the model path and the error table of the Bedrock translation, row by row. */
class BedrockTranslationTest {
    private static JsonNode translate(String openAi) throws Exception {
        return BedrockRequestTranslator.toBody(BedrockRequestTranslator.read(openAi.getBytes(StandardCharsets.UTF_8)),
                TranslationNotes.NONE);
    }

    @Test
    void aFullRequestTranslatesAsTheMappingTableSays() throws Exception {
        JsonNode body = translate("""
                {"model": "amazon.nova-pro-v1:0", "temperature": 0, "tool_choice": "required",
                 "tools": [{"type": "function", "function": {"name": "f"}}],
                 "messages": [{"role": "system", "content": "sys"}, {"role": "developer", "content": "dev"},
                   {"role": "user", "content": "q"},
                   {"role": "assistant", "tool_calls": [{"id": "t1", "function": {"name": "f", "arguments": "{}"}}]},
                   {"role": "tool", "tool_call_id": "t1", "content": "r"}]}""");
        assertEquals(Json.MAPPER.readTree("""
                {"messages": [{"role": "user", "content": [{"text": "q"}]},
                   {"role": "assistant", "content": [{"toolUse": {"toolUseId": "t1", "name": "f", "input": {}}}]},
                   {"role": "user", "content": [{"toolResult": {"toolUseId": "t1", "content": [{"text": "r"}]}}]}],
                 "system": [{"text": "sys"}, {"text": "dev"}],
                 "inferenceConfig": {"temperature": 0},
                 "toolConfig": {"tools": [{"toolSpec": {"name": "f", "inputSchema": {"json": {"type": "object", "properties": {}}}}}],
                                "toolChoice": {"any": {}}}}"""), body);
        JsonNode none = translate("{\"model\": \"m\", \"tool_choice\": \"none\", \"messages\": [{\"role\": \"user\","
                + " \"content\": \"q\"}], \"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"f\"}}]}");
        assertEquals(false, none.has("toolConfig"), "tool_choice none without tool history: no tools offered");
    }

    @Test
    void modelIdsAreOnePathSegment() {
        assertEquals("/model/anthropic.claude-3-5-haiku-20241022-v1%3A0/converse-stream",
                BedrockRequestTranslator.path("anthropic.claude-3-5-haiku-20241022-v1:0", true));
        assertEquals("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Aprovisioned-model%2Fabc%20d%C3%A9/converse",
                BedrockRequestTranslator.path("arn:aws:bedrock:us-east-1:1:provisioned-model/abc dé", false));
    }

    @Test
    void theErrorTable() {
        String[][] rows = {
                {"400", "ValidationException", "400", null, "false"},
                {"403", "AccessDeniedException", "403", "upstream_permission_denied", "false"},
                {"403", "UnrecognizedClientException", "401", "upstream_authentication_failed", "false"},
                {"403", "InvalidSignatureException", "401", "upstream_authentication_failed", "false"},
                {"404", "ResourceNotFoundException", "404", "model_not_found", "false"},
                {"429", "ThrottlingException", "429", "rate_limit_exceeded", "true"},
                {"0", "throttlingException", "429", "rate_limit_exceeded", "true"},
                {"503", "ServiceUnavailableException", "503", "upstream_unavailable", "true"},
                {"0", "serviceUnavailableException", "503", "upstream_unavailable", "true"},
                {"429", "ModelNotReadyException", "503", "upstream_unavailable", "true"},
                {"500", "InternalServerException", "502", "upstream_unavailable", "true"},
                {"0", "internalServerException", "502", "upstream_unavailable", "true"},
                {"408", "ModelTimeoutException", "504", "upstream_timeout", "true"},
                {"0", "modelStreamErrorException", "502", "upstream_error", "false"},
                {"424", "ModelErrorException", "502", "upstream_error", "false"},
                {"0", "validationException", "400", null, "false"},
                {"429", null, "429", "rate_limit_exceeded", "true"},
                {"409", "SomethingNewException", "502", "upstream_error", "false"}};
        for (String[] row : rows) {
            StreamFailure failure = BedrockErrors.failure(Integer.parseInt(row[0]), row[1], "msg", "r");
            assertEquals(Integer.parseInt(row[2]), failure.error().status(), Arrays.toString(row));
            assertEquals(row[3], failure.error().code(), Arrays.toString(row));
            assertEquals(Boolean.parseBoolean(row[4]), failure.retryable(), Arrays.toString(row));
        }
        assertEquals("ThrottlingException", BedrockErrors.sanitize("aws.protocoltests#ThrottlingException:http://x/y"));
        StreamFailure fromBody = BedrockErrors.fromResponse(400, null,
                "{\"__type\": \"com.amazon#ValidationException\", \"Message\": \"bad\"}".getBytes(StandardCharsets.UTF_8), "r");
        assertEquals(400, fromBody.error().status());
        assertEquals(true, fromBody.error().message().endsWith(": bad"), fromBody.error().message());
    }
}
