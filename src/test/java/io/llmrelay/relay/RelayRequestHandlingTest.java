package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What the relay does with a request before and around the upstream call: paths and methods,
 * routing, what reaches the upstream, validation, and non-streaming answers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayRequestHandlingTest {
    private static final int MAX_REQUEST_BYTES = 8192;

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> {
        String base = "http://127.0.0.1:" + upstream.port();
        return RelayUnderTest.config("\"maxRequestBytes\": " + MAX_REQUEST_BYTES,
                RelayUnderTest.route("main", base + "/v1", "[\"gpt-4o-mini\", \"gpt-4o*\"]", "\"default\": true"),
                RelayUnderTest.route("exact", base + "/exact/v1", "[\"claude-exact\"]",
                        "\"upstreamModel\": \"renamed-upstream-model\""),
                RelayUnderTest.route("glob", base + "/glob/v1", "[\"llama-*\"]",
                        "\"dropFields\": [\"user\", \"call\"]"));
    });

    /** The default script's body, as the relay sends it on. */
    private static final String DEFAULT_STREAM = "data: " + Chunks.role() + "\n\ndata: " + Chunks.content("Hello")
            + "\n\ndata: " + Chunks.finish("stop") + "\n\ndata: [DONE]\n\n";

    private static String chatFor(String model) {
        return CHAT.replace("gpt-4o-mini", model);
    }

    /** Sends a good request and checks it streams back normally: the relay is still fine. */
    private static void aGoodRequestStillSucceeds() throws Exception {
        served.upstream().reset();
        HttpResponse<String> response = served.client().postChat(CHAT);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(DEFAULT_STREAM, response.body());
        assertEquals("gpt-4o-mini", served.upstream().nextRequest().body().get("model").asText());
        assertEquals(0, served.upstream().requestCount());
    }

    // Paths and methods.

    @ParameterizedTest(name = "POST {0}")
    @ValueSource(strings = {"/chat/completions", "/v1/chat/completions", "/some/prefix/chat/completions",
        "/v1/chat/completions/"})
    void chatCompletionsIsServedUnderAnyPrefix(String path) throws Exception {
        HttpResponse<String> response = served.client().send(served.client().request("POST", path, CHAT));

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(DEFAULT_STREAM, response.body());
    }

    @Test
    void getOnChatCompletionsIs405AllowingPost() throws Exception {
        HttpResponse<String> response = served.client().send(served.client().request("GET", "/v1/chat/completions", null));

        assertOpenAiError(response, 405, "method_not_allowed");
        assertEquals("POST", response.headers().firstValue("allow").orElse(null));
    }

    @Test
    void postOnModelsIs405AllowingGet() throws Exception {
        HttpResponse<String> response = served.client().send(served.client().request("POST", "/v1/models", CHAT));

        assertOpenAiError(response, 405, "method_not_allowed");
        assertEquals("GET", response.headers().firstValue("allow").orElse(null));
    }

    @ParameterizedTest(name = "POST {0}")
    @ValueSource(strings = {"/", "/v1/embeddings", "/v1/chat/completions/extra", "/v1/completions"})
    void anUnknownPathIs404(String path) throws Exception {
        HttpResponse<String> response = served.client().send(served.client().request("POST", path, CHAT));

        assertOpenAiError(response, 404, "unknown_url");
        assertEquals(0, served.upstream().requestCount());
    }

    @ParameterizedTest(name = "GET {0}")
    @ValueSource(strings = {"/v1/models", "/models"})
    void getModelsListsTheConfiguredModelsInOpenAisListFormat(String path) throws Exception {
        HttpResponse<String> response = served.client().send(served.client().request("GET", path, null));

        assertEquals(200, response.statusCode(), response.body());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        JsonNode list = json(response.body());
        assertEquals("list", list.get("object").asText());
        List<String> ids = new ArrayList<>();
        for (JsonNode model : list.get("data")) {
            ids.add(model.get("id").asText());
            assertEquals("model", model.get("object").asText(), model.toString());
            assertTrue(model.get("created").isIntegralNumber(), model.toString());
            assertTrue(model.get("owned_by").isTextual(), model.toString());
        }
        // Exact names only: a glob is not a model a client could pick.
        assertEquals(List.of("gpt-4o-mini", "claude-exact"), ids);
    }

    // Routing.

    @Test
    void anExactModelGoesToItsRouteUnderTheUpstreamModelName() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("claude-exact"));

        assertEquals(200, response.statusCode());
        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/exact/v1/chat/completions", request.path());
        assertEquals("renamed-upstream-model", request.body().get("model").asText());
    }

    @Test
    void aModelMatchingAGlobGoesToThatRouteUnderItsOwnName() throws Exception {
        served.client().postChat(chatFor("llama-3.1-8b-instant"));

        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/glob/v1/chat/completions", request.path());
        assertEquals("llama-3.1-8b-instant", request.body().get("model").asText());
    }

    @Test
    void aModelMatchingTheDefaultRoutesGlobGoesThere() throws Exception {
        served.client().postChat(chatFor("gpt-4o-2024-08-06"));

        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("gpt-4o-2024-08-06", request.body().get("model").asText());
    }

    @Test
    void anUnknownModelGoesToTheDefaultRouteUnchanged() throws Exception {
        HttpResponse<String> response = served.client().postChat(chatFor("mistral-large-latest"));

        assertEquals(200, response.statusCode());
        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("/v1/chat/completions", request.path());
        assertEquals("mistral-large-latest", request.body().get("model").asText());
    }

    @Test
    void anUnknownModelWithNoDefaultRouteIs404ModelNotFound() throws Exception {
        String config = RelayUnderTest.config(null,
                RelayUnderTest.route("only", served.upstream().baseUrl(), "[\"gpt-4o-mini\"]", null));
        try (RelayUnderTest noDefault = RelayUnderTest.serve(config, RelayUnderTest.upstreamKeyEnv())) {
            RelayClient other = new RelayClient(noDefault);

            HttpResponse<String> response = other.postChat(chatFor("mistral-large-latest"));

            JsonNode error = assertOpenAiError(response, 404, "model_not_found");
            assertEquals("model", error.get("param").asText());
            assertTrue(error.get("message").asText().contains("mistral-large-latest"), error.toString());
            assertEquals(0, served.upstream().requestCount());
            assertEquals(200, other.postChat(CHAT).statusCode(), "its own model is still served");
        }
    }

    // What reaches the upstream.

    @Test
    void aVapiRequestReachesTheUpstreamWithoutVapisFieldsAndEveryStandardParameterUntouched() throws Exception {
        String vapi = """
                {"model": "gpt-4o-mini",
                 "messages": [
                   {"role": "system", "content": "You are a receptionist."},
                   {"role": "user", "content": [
                     {"type": "text", "text": "What is on this picture?"},
                     {"type": "image_url", "image_url": {"url": "https://example.com/cat.png", "detail": "low"}}]},
                   {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function",
                     "function": {"name": "lookup", "arguments": "{\\"q\\":\\"cat\\"}"}}]},
                   {"role": "tool", "tool_call_id": "call_1", "content": "a cat"}],
                 "tools": [{"type": "function", "function": {"name": "lookup", "description": "Looks things up",
                   "parameters": {"type": "object", "properties": {"q": {"type": "string"}}, "required": ["q"]},
                   "strict": true}}],
                 "tool_choice": {"type": "function", "function": {"name": "lookup"}},
                 "response_format": {"type": "json_schema", "json_schema": {"name": "answer",
                   "schema": {"type": "object", "properties": {"text": {"type": "string"}}}}},
                 "stream": true,
                 "stream_options": {"include_usage": true},
                 "max_completion_tokens": 250,
                 "temperature": 0.7,
                 "top_p": 0.95,
                 "presence_penalty": -0.5,
                 "seed": 12345678901234567890,
                 "parallel_tool_calls": false,
                 "user": "caller-42",
                 "call": {"id": "call-uuid", "orgId": "org-uuid", "type": "inboundPhoneCall"},
                 "phoneNumber": {"id": "pn-uuid", "number": "+15551234567"},
                 "customer": {"number": "+15557654321", "name": "Ada"},
                 "metadata": {"tenant": "acme", "nested": {"a": 1}}}""";

        HttpResponse<String> response = served.client().postChat(vapi);

        assertEquals(200, response.statusCode(), response.body());
        assertEquals(DEFAULT_STREAM, response.body());
        ObjectNode expected = (ObjectNode) json(vapi);
        expected.remove(List.of("call", "phoneNumber", "customer", "metadata"));
        assertEquals(expected, served.upstream().nextRequest().body());
    }

    @Test
    void aRoutesDropFieldsReplaceTheDefaultList() throws Exception {
        String request = """
                {"model": "llama-3.1-8b-instant", "stream": true, "messages": [{"role": "user", "content": "Hi"}],
                 "user": "caller-42", "call": {"id": "c"}, "phoneNumber": {"id": "p"}, "customer": {"name": "Ada"},
                 "metadata": {"tenant": "acme"}}""";

        served.client().postChat(request);

        ObjectNode expected = (ObjectNode) json(request);
        expected.remove(List.of("user", "call"));
        expected.putObject("stream_options").put("include_usage", true); // the relay's own ask (README "Token usage")
        assertEquals(expected, served.upstream().nextRequest().body());
    }

    // Validation: 400 naming the param, and the relay is fine afterwards.

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
        "messages missing     | messages         | {\"model\": \"gpt-4o-mini\", \"stream\": true}",
        "messages null        | messages         | {\"model\": \"gpt-4o-mini\", \"messages\": null}",
        "messages empty       | messages         | {\"model\": \"gpt-4o-mini\", \"messages\": []}",
        "messages a string    | messages         | {\"model\": \"gpt-4o-mini\", \"messages\": \"Hi\"}",
        "messages an object   | messages         | {\"model\": \"gpt-4o-mini\", \"messages\": {\"role\": \"user\"}}",
        "message without role | messages[0].role | {\"messages\": [{\"content\": \"Hi\"}]}",
        "stream a string      | stream           | {\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"stream\": \"true\"}",
        "stream a number      | stream           | {\"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}], \"stream\": 1}",
        "model a number       | model            | {\"model\": 4, \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}",
    })
    void anInvalidRequestIs400NamingTheParam(String what, String param, String body) throws Exception {
        HttpResponse<String> response = served.client().postChat(body);

        JsonNode error = assertOpenAiError(response, 400, null);
        assertEquals("invalid_request_error", error.get("type").asText());
        assertEquals(param, error.get("param").asText(null), what);
        assertEquals(0, served.upstream().requestCount(), "nothing went upstream");
        aGoodRequestStillSucceeds();
    }

    @ParameterizedTest(name = "body: {0}")
    @ValueSource(strings = {"{not json", "[]", "\"messages\"", "{\"messages\": [{\"role\": \"user\"}]} trailing", ""})
    void aBodyThatIsNotAJsonObjectIs400(String body) throws Exception {
        HttpResponse<String> response = served.client().postChat(body);

        JsonNode error = assertOpenAiError(response, 400, null);
        assertEquals("invalid_request_error", error.get("type").asText());
        assertTrue(error.get("param").isNull(), error.toString());
        assertEquals(0, served.upstream().requestCount(), "nothing went upstream");
        aGoodRequestStillSucceeds();
    }

    @Test
    void aBodyOverMaxRequestBytesIs413() throws Exception {
        String big = CHAT.replace("\"Hi\"", "\"" + "x".repeat(MAX_REQUEST_BYTES) + "\"");

        HttpResponse<String> response = served.client().postChat(big);

        JsonNode error = assertOpenAiError(response, 413, "request_too_large");
        assertTrue(error.get("message").asText().contains(String.valueOf(MAX_REQUEST_BYTES)), error.toString());
        assertEquals(0, served.upstream().requestCount(), "nothing went upstream");
        aGoodRequestStillSucceeds();
    }

    @Test
    void aBodyJustUnderMaxRequestBytesIsServed() throws Exception {
        String filler = "x".repeat(MAX_REQUEST_BYTES - CHAT.length() - 10);
        String body = CHAT.replace("\"Hi\"", "\"" + filler + "\"");
        assertTrue(body.length() < MAX_REQUEST_BYTES);

        assertEquals(200, served.client().postChat(body).statusCode());
    }

    // Non-streaming.

    @ParameterizedTest(name = "stream {0}")
    @ValueSource(strings = {"absent", "false"})
    void aNonStreamingRequestGetsTheUpstreamsChatCompletion(String stream) throws Exception {
        String completion = Chunks.completion("Hello there!");
        served.upstream().enqueue(Script.json(200, completion));
        String body = stream.equals("absent")
                ? "{\"model\": \"gpt-4o-mini\", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}"
                : CHAT.replace("\"stream\": true", "\"stream\": false");

        HttpResponse<String> response = served.client().postChat(body);

        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElse("").startsWith("application/json"));
        assertFalse(response.headers().firstValue("x-request-id").orElse("").isBlank(), "x-request-id");
        assertEquals(completion, response.body());
        assertEquals("chat.completion", json(response.body()).get("object").asText());
        FakeUpstream.Recorded request = served.upstream().nextRequest();
        assertEquals("application/json", request.header("accept"));
        assertEquals(json(body), request.body());
    }
}
