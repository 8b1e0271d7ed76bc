package io.llmrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.BedrockFrames;
import io.llmrelay.testing.LogLines;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.SigV4Check;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Anthropic and Bedrock routes through serve: token counts from the providers' own events (and
 * whole answers) in the request log, whether or not the caller asked for the usage chunk; the
 * trace headers each provider gets, Bedrock's signed consistently with the SigV4 signature.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProviderOpsThroughServeTest {
    private static final String SECRET_KEY = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
    private static final String CALLER_TRACE = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    private static FakeUpstream provider;
    private static RelayUnderTest relay;
    private static RelayClient client;

    @BeforeAll
    static void start() throws Exception {
        provider = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + provider.url("/v1") + "\","
                        + " \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"claude-x\"], \"retries\": 0}",
                "{\"name\": \"nova\", \"type\": \"bedrock\", \"region\": \"us-east-1\", \"baseUrl\": \"" + provider.url("")
                        + "\", \"models\": [\"nova-x\"], \"upstreamModel\": \"nova-lite\", \"retries\": 0}");
        Map<String, String> env = new HashMap<>(RelayUnderTest.upstreamKeyEnv());
        env.putAll(Map.of("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY", SECRET_KEY,
                "AWS_SESSION_TOKEN", "session-token-example"));
        relay = RelayUnderTest.with(config).env(env).start();
        client = new RelayClient(relay);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.assertNoKeyLeaked();
            assertFalse(relay.output().contains(SECRET_KEY), "the AWS secret key was printed");
        } finally {
            try {
                relay.close();
            } finally {
                provider.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        provider.reset();
    }

    private static String chat(String model, boolean stream) {
        return "{\"model\": \"" + model + "\", \"stream\": " + stream + ", \"messages\": [{\"role\": \"user\", \"content\": \"Hi\"}]}";
    }

    private static void assertNoUsageChunk(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        for (String payload : RelayClient.payloads(response.body())) {
            assertFalse(payload.contains("\"usage\""), "the caller did not ask for usage: " + payload);
        }
    }

    private static void assertTokens(HttpResponse<String> response, long prompt, long completion) throws Exception {
        JsonNode line = LogLines.requestLine(relay, LogLines.requestId(response));
        assertEquals(prompt, line.path("promptTokens").asLong(-1), line.toString());
        assertEquals(completion, line.path("completionTokens").asLong(-1), line.toString());
    }

    @Test
    void anthropicStreamAndWholeAnswerTokensAreLogged() throws Exception {
        provider.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).raw(AnthropicSse.text(25, 15, "end_turn", "Hel", "lo")));
        HttpResponse<String> streamed = client.postChat(chat("claude-x", true));
        assertNoUsageChunk(streamed);
        assertTokens(streamed, 25, 15);

        provider.enqueue(Script.json(200, """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                 "content": [{"type": "text", "text": "Hi."}], "stop_reason": "end_turn", "stop_sequence": null,
                 "usage": {"input_tokens": 9, "cache_read_input_tokens": 4, "output_tokens": 6}}"""));
        assertTokens(client.postChat(chat("claude-x", false)), 13, 6);
    }

    @Test
    void bedrockStreamAndWholeAnswerTokensAreLogged() throws Exception {
        provider.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(BedrockFrames.textAnswer("end_turn", 40, 6, "Hi", "!")));
        HttpResponse<String> streamed = client.postChat(chat("nova-x", true));
        assertNoUsageChunk(streamed);
        assertTokens(streamed, 40, 6);

        provider.enqueue(Script.json(200, """
                {"output": {"message": {"role": "assistant", "content": [{"text": "Sunny."}]}},
                 "stopReason": "end_turn", "usage": {"inputTokens": 8, "outputTokens": 3, "totalTokens": 11}}"""));
        assertTokens(client.postChat(chat("nova-x", false)), 8, 3);
    }

    @Test
    void anthropicGetsTheRequestIdAndTheCallersTraceContinued() throws Exception {
        provider.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE).header("request-id", "req_011CSHoEeqs5C35K2UUqR7Fy")
                .raw(AnthropicSse.text(1, 1, "end_turn", "Hi")));
        HttpResponse<String> response = client.send(client.chat(chat("claude-x", true)).header("traceparent", CALLER_TRACE));

        FakeUpstream.Recorded sent = provider.nextRequest();
        String id = LogLines.requestId(response);
        assertEquals(id, sent.header("x-request-id"));
        String traceparent = sent.header("traceparent");
        assertTrue(traceparent.matches("00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01"), traceparent);
        assertFalse(traceparent.contains("b7ad6b7169203331"), "a new parent-id: the relay's call");
        JsonNode line = LogLines.requestLine(relay, id);
        assertEquals("req_011CSHoEeqs5C35K2UUqR7Fy", line.path("upstreamRequestId").asText(), line.toString());
        assertEquals(traceparent, line.path("traceparent").asText());
        assertEquals(CALLER_TRACE, line.path("callerRequestId").asText(), "no x-request-id: the traceparent names the call");
    }

    @Test
    void bedrockGetsTheTraceInEveryFormItsSignatureCoveringWhatTheSignerSigns() throws Exception {
        provider.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).header("x-amzn-RequestId", "5d1c7f4e-aws")
                .rawBytes(BedrockFrames.textAnswer("end_turn", 1, 1, "Hi")));
        HttpResponse<String> response = client.send(client.chat(chat("nova-x", true))
                .header("traceparent", CALLER_TRACE).header("x-request-id", "vapi-call-42"));

        FakeUpstream.Recorded sent = provider.nextRequest();
        List<String> signed = List.of(SigV4Check.verify(sent, SECRET_KEY));
        assertThrows(AssertionError.class, () -> SigV4Check.verify(sent, SECRET_KEY.replace('w', 'x')),
                "the check fails on another key: it recomputes the signature");
        assertTrue(signed.containsAll(List.of("traceparent", "x-request-id")), signed.toString());
        assertFalse(signed.contains("x-amzn-trace-id"), "the SDK signer leaves it out, as AWS's own clients do");
        String traceparent = sent.header("traceparent");
        String[] parts = traceparent.split("-");
        assertEquals("Root=1-" + parts[1].substring(0, 8) + "-" + parts[1].substring(8) + ";Parent=" + parts[2] + ";Sampled=1",
                sent.header("x-amzn-trace-id"));
        assertEquals("0af7651916cd43dd8448eb211c80319c", parts[1]);
        JsonNode line = LogLines.requestLine(relay, LogLines.requestId(response));
        assertEquals("5d1c7f4e-aws", line.path("upstreamRequestId").asText(), line.toString());
        assertEquals("vapi-call-42", line.path("callerRequestId").asText());
        assertNull(sent.header("x-client-request-id"), "OpenAI's header is for OpenAI-compatible upstreams");
    }
}
