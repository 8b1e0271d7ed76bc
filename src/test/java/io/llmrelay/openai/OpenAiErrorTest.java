package io.llmrelay.openai;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OpenAiErrorTest {

    @Test
    void rendersExactlyOpenAisShapeWithNullsForAbsentFields() {
        assertEquals("{\"error\":{\"message\":\"Missing required parameter: 'messages'.\","
                        + "\"type\":\"invalid_request_error\",\"param\":\"messages\",\"code\":null}}",
                text(OpenAiError.invalidRequest("messages", "Missing required parameter: 'messages'.").toJson()));
        assertEquals("{\"error\":{\"message\":\"boom\",\"type\":\"api_error\",\"param\":null,\"code\":\"internal_error\"}}",
                text(OpenAiError.internal("boom").toJson()));
    }

    @Test
    void escapesMessagesSoTheJsonStaysValid() throws IOException {
        String message = "a \"quoted\" \\ line\nbreak é";
        JsonNode parsed = Json.MAPPER.readTree(OpenAiError.upstreamUnavailable(message).toJson());
        assertEquals(message, parsed.path("error").path("message").asText());
    }

    @Test
    void factoriesUseTheConventionalStatusTypeAndCode() {
        assertError(OpenAiError.invalidRequest("n", "bad"), 400, "invalid_request_error", "n", null);
        assertError(OpenAiError.invalidApiKey("no key"), 401, "invalid_request_error", null, "invalid_api_key");
        assertError(OpenAiError.modelNotFound("gpt-x"), 404, "invalid_request_error", "model", "model_not_found");
        assertError(OpenAiError.notFound("/v1/nope"), 404, "invalid_request_error", null, "unknown_url");
        assertError(OpenAiError.methodNotAllowed("GET", "/v1/chat/completions"), 405, "invalid_request_error", null,
                "method_not_allowed");
        assertError(OpenAiError.requestTooLarge(1024), 413, "invalid_request_error", null, "request_too_large");
        assertError(OpenAiError.upstreamUnavailable("down"), 502, "api_error", null, "upstream_unavailable");
        assertError(OpenAiError.upstreamTimeout("slow"), 504, "api_error", null, "upstream_timeout");
        assertError(OpenAiError.keyUnavailable("openai"), 503, "api_error", null, "upstream_key_unavailable");
        assertError(OpenAiError.internal("bug"), 500, "api_error", null, "internal_error");
    }

    @Test
    void messagesNameWhatWentWrong() {
        assertEquals("The model `gpt-x` does not exist or you do not have access to it.",
                OpenAiError.modelNotFound("gpt-x").message());
        assertContains(OpenAiError.notFound("/v1/nope").message(), "/v1/nope");
        assertContains(OpenAiError.methodNotAllowed("GET", "/v1/chat/completions").message(), "GET");
        assertContains(OpenAiError.requestTooLarge(1024).message(), "1024");
        assertContains(OpenAiError.keyUnavailable("openai").message(), "'openai'");
    }

    @Test
    void readsAnOpenAiShapedUpstreamError() {
        byte[] body = utf8("{\"error\":{\"message\":\"Rate limit reached\",\"type\":\"requests\",\"param\":null,"
                + "\"code\":\"rate_limit_exceeded\"}}");
        assertEquals(new OpenAiError(429, "Rate limit reached", "requests", null, "rate_limit_exceeded"),
                OpenAiError.fromUpstreamBody(429, body));
    }

    @Test
    void readsNumericCodesAndInfersAMissingType() {
        assertEquals(new OpenAiError(400, "bad", "invalid_request_error", null, "400"),
                OpenAiError.fromUpstreamBody(400, utf8("{\"error\":{\"message\":\"bad\",\"code\":400}}")));
        assertEquals(new OpenAiError(503, "busy", "api_error", null, null),
                OpenAiError.fromUpstreamBody(503, utf8("{\"error\":{\"message\":\"busy\"}}")));
    }

    @Test
    void returnsNullForAnythingNotOpenAiShaped() {
        assertNull(OpenAiError.fromUpstreamBody(502, utf8("<html>Bad Gateway</html>")));
        assertNull(OpenAiError.fromUpstreamBody(502, new byte[0]));
        assertNull(OpenAiError.fromUpstreamBody(502, null));
        assertNull(OpenAiError.fromUpstreamBody(400, utf8("{\"error\":\"a string\"}")));
        assertNull(OpenAiError.fromUpstreamBody(400, utf8("{\"detail\":\"FastAPI style\"}")));
        assertNull(OpenAiError.fromUpstreamBody(400, utf8("[{\"error\":{\"message\":\"in an array\"}}]")));
        assertNull(OpenAiError.fromUpstreamBody(400, utf8("{\"error\":{\"code\":1}}")));
    }

    private static void assertError(OpenAiError error, int status, String type, String param, String code) {
        assertEquals(status, error.status(), "status");
        assertEquals(type, error.type(), "type");
        assertEquals(param, error.param(), "param");
        assertEquals(code, error.code(), "code");
    }

    private static void assertContains(String text, String part) {
        assertTrue(text.contains(part), text + " should contain " + part);
    }

    private static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
