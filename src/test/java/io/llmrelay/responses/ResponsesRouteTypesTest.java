package io.llmrelay.responses;

import static io.llmrelay.testing.AnthropicSse.blockStop;
import static io.llmrelay.testing.AnthropicSse.inputJson;
import static io.llmrelay.testing.AnthropicSse.messageDelta;
import static io.llmrelay.testing.AnthropicSse.messageStart;
import static io.llmrelay.testing.AnthropicSse.messageStop;
import static io.llmrelay.testing.AnthropicSse.textDelta;
import static io.llmrelay.testing.AnthropicSse.textStart;
import static io.llmrelay.testing.AnthropicSse.toolStart;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.config.RouteType;
import io.llmrelay.testing.AnthropicSse;
import io.llmrelay.testing.BedrockFrames;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.upstream.demo.DemoModel;
import io.llmrelay.upstream.openai.OpenAiUpstream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code POST /v1/responses} on every route type that is not OpenAI-compatible (the offline demo,
 * Anthropic Messages, Bedrock Converse; OpenAI-compatible routes are {@link ResponsesThroughServeTest}'s):
 * each makes chat chunks, so each serves Responses callers, streaming and not, text and a
 * function tool's call. Through {@code serve}, against loopback fakes of the providers.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ResponsesRouteTypesTest {
    private static final String WEATHER = "{\"type\": \"function\", \"name\": \"get_weather\", \"parameters\":"
            + " {\"type\": \"object\", \"properties\": {\"city\": {\"type\": \"string\"}}}}";
    private static FakeUpstream anthropic;
    private static FakeUpstream bedrock;
    private static RelayUnderTest relay;
    private static RelayClient client;

    @BeforeAll
    static void start() throws Exception {
        anthropic = FakeUpstream.startProvider();
        bedrock = FakeUpstream.startProvider();
        String config = RelayUnderTest.config(null,
                "{\"name\": \"demo\", \"type\": \"demo\", \"models\": [\"relay-demo\"]}",
                "{\"name\": \"claude\", \"type\": \"anthropic\", \"baseUrl\": \"" + anthropic.url("/v1") + "\","
                        + " \"apiKey\": \"env:UPSTREAM_KEY\", \"models\": [\"claude-x\"], \"retries\": 0}",
                "{\"name\": \"nova\", \"type\": \"bedrock\", \"region\": \"eu-west-1\", \"baseUrl\": \"" + bedrock.url("")
                        + "\", \"models\": [\"nova-x\"], \"upstreamModel\": \"amazon.nova-pro-v1:0\", \"retries\": 0}");
        Map<String, String> env = Map.of("UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY, "AWS_ACCESS_KEY_ID", "AKIDEXAMPLE",
                "AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
        // The demo model itself, without its pause between words (the pause is for people watching).
        relay = RelayUnderTest.with(config).env(env).customize(setup -> setup.withUpstreams((route, notes) ->
                route.type() == RouteType.DEMO ? new OpenAiUpstream(new DemoModel(Duration.ZERO))
                        : setup.upstreams().forRoute(route, notes))).start();
        client = new RelayClient(relay);
    }

    @AfterAll
    static void stop() throws Exception {
        try {
            client.assertNoKeyLeaked();
        } finally {
            try {
                relay.close();
            } finally {
                anthropic.close();
                bedrock.close();
            }
        }
    }

    @BeforeEach
    void forgetEarlierRequests() {
        anthropic.reset();
        bedrock.reset();
    }

    private static String request(String model, boolean stream) {
        return "{\"model\": \"" + model + "\", \"stream\": " + stream + ", \"input\": \"Weather in Paris?\","
                + " \"tools\": [" + WEATHER + "]}";
    }

    private static HttpResponse<String> post(String body) throws Exception {
        return client.send(client.request("POST", "/v1/responses", body));
    }

    /** The final response a streamed answer rebuilds to, as the official client rebuilds it. */
    private static JsonNode streamed(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        assertFalse(response.body().contains("[DONE]"));
        return ClientReplay.replay(RecordedEvents.parse(response.body().getBytes(StandardCharsets.UTF_8)));
    }

    private static JsonNode whole(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return RelayClient.json(response.body());
    }

    /** Each output item as {@code type:text-or-name(arguments)}, in order. */
    private static List<String> output(JsonNode response) {
        List<String> items = new ArrayList<>();
        for (JsonNode item : response.path("output")) {
            if (item.path("type").asText().equals("message")) {
                items.add("message:" + item.path("content").get(0).path("text").asText());
            } else {
                items.add(item.path("type").asText() + ":" + item.path("name").asText() + item.path("arguments").asText());
            }
        }
        return items;
    }

    @Test
    void theDemoModelAnswersStreamingAndNot() throws Exception {
        JsonNode streamed = streamed(post("{\"model\": \"relay-demo\", \"stream\": true, \"input\": \"Hi\"}"));
        JsonNode whole = whole(post("{\"model\": \"relay-demo\", \"input\": \"Hi\"}"));

        assertEquals(List.of("message:" + DemoModel.REPLY), output(streamed));
        assertEquals(List.of("message:" + DemoModel.REPLY), output(whole));
        assertEquals("completed", streamed.path("status").asText());
        assertEquals("relay-demo", whole.path("model").asText());
    }

    @Test
    void anAnthropicRouteStreamsTextAndAToolCallEventByEvent() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        anthropic.enqueue(Script.stream(AnthropicSse.CONTENT_TYPE)
                .raw(messageStart(12) + textStart(0) + textDelta(0, "Let me"))
                .gate(gate)
                .raw(textDelta(0, " check.") + blockStop(0) + toolStart(1, "toolu_1", "get_weather")
                        + inputJson(1, "{\"city\":") + inputJson(1, "\"Paris\"}") + blockStop(1)
                        + messageDelta("tool_use", 9) + messageStop()));

        try (RelayClient.EventStream stream = client.open(client.request("POST", "/v1/responses",
                request("claude-x", true)))) {
            List<JsonNode> events = new ArrayList<>();
            JsonNode event;
            do {
                event = RecordedEvents.parse(stream.nextEvent().getBytes(StandardCharsets.UTF_8)).get(0);
                events.add(event);
            } while (!event.path("type").asText().equals("response.output_text.delta"));
            assertEquals("Let me", event.path("delta").asText());
            assertEquals(1, gate.getCount(), "Anthropic still holds the rest back");
            gate.countDown();
            events.addAll(RecordedEvents.parse(stream.rest().getBytes(StandardCharsets.UTF_8)));
            JsonNode response = ClientReplay.replay(events);
            assertEquals(List.of("message:Let me check.", "function_call:get_weather{\"city\":\"Paris\"}"), output(response));
            assertEquals("completed", response.path("status").asText());
            assertEquals(21, response.path("usage").path("total_tokens").asInt(), response.toString());
        } finally {
            gate.countDown();
        }
        JsonNode sent = anthropic.nextRequest().body();
        assertEquals("get_weather", sent.path("tools").get(0).path("name").asText(), sent.toString());
        assertEquals("Weather in Paris?", sent.path("messages").get(0).path("content").get(0).path("text").asText());
    }

    @Test
    void anAnthropicRouteAnswersWholeWithTextAndAToolCall() throws Exception {
        anthropic.enqueue(Script.json(200, """
                {"id": "msg_1", "type": "message", "role": "assistant", "model": "claude-x",
                 "content": [{"type": "text", "text": "Checking."},
                             {"type": "tool_use", "id": "toolu_2", "name": "get_weather", "input": {"city": "Paris"}}],
                 "stop_reason": "tool_use", "stop_sequence": null, "usage": {"input_tokens": 9, "output_tokens": 6}}"""));

        JsonNode response = whole(post(request("claude-x", false)));

        assertEquals(List.of("message:Checking.", "function_call:get_weather{\"city\":\"Paris\"}"), output(response));
        assertEquals("toolu_2", response.path("output").get(1).path("call_id").asText());
        assertEquals(15, response.path("usage").path("total_tokens").asInt());
    }

    @Test
    void aBedrockRouteStreamsTextAndAToolCall() throws Exception {
        bedrock.enqueue(Script.stream(BedrockFrames.CONTENT_TYPE).rawBytes(BedrockFrames.concat(BedrockFrames.messageStart(),
                BedrockFrames.text(0, "Bon"), BedrockFrames.text(0, "jour."), BedrockFrames.blockStop(0),
                BedrockFrames.toolStart(1, "tooluse_1", "get_weather"), BedrockFrames.toolInput(1, "{\"city\":\"Paris\"}"),
                BedrockFrames.blockStop(1), BedrockFrames.messageStop("tool_use"), BedrockFrames.metadata(8, 4))));

        JsonNode response = streamed(post(request("nova-x", true)));

        assertEquals(List.of("message:Bonjour.", "function_call:get_weather{\"city\":\"Paris\"}"), output(response));
        assertEquals(12, response.path("usage").path("total_tokens").asInt(), response.toString());
        assertEquals("get_weather", bedrock.nextRequest().body().path("toolConfig").path("tools").get(0)
                .path("toolSpec").path("name").asText());
    }

    @Test
    void aBedrockRouteAnswersWhole() throws Exception {
        bedrock.enqueue(Script.json(200, """
                {"output": {"message": {"role": "assistant", "content": [{"text": "Sunny."}]}},
                 "stopReason": "max_tokens", "usage": {"inputTokens": 8, "outputTokens": 3, "totalTokens": 11}}"""));

        JsonNode response = whole(post("{\"model\": \"nova-x\", \"input\": \"Weather?\"}"));

        assertEquals(List.of("message:Sunny."), output(response));
        assertEquals("incomplete", response.path("status").asText(), "max_tokens: cut by the token limit");
        assertEquals("max_output_tokens", response.path("incomplete_details").path("reason").asText());
    }
}
