package io.llmrelay.responses;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.llmrelay.config.RouteConfig;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The README's promises for {@code POST .../responses} through {@code serve}, over generated
 * requests and answers:
 *
 * <ul>
 *   <li>the upstream receives the request's chat translation ({@link ResponsesRequest}, whose
 *       table its own tests check field by field), with the route's {@code dropFields} removed
 *       and nothing else changed: compared as JSON trees;
 *   <li>a streamed answer's text, whatever characters its chunks hold, reaches the caller as the
 *       upstream wrote it, in events the official client rebuilds ({@link ClientReplay}) into a
 *       completed response; a whole answer's text likewise in the Response object.
 * </ul>
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ResponsesServePropertyTest {
    private static final int CASES = 40;
    private static final String[] TEXTS = {"hi", "wörld 😀", "\"quoted\"", "line\nbreak", "{\"json\":1}", "\\", "\u2028",
            "data: [DONE]", "event: x\n\n", "é"};
    private static final String[] ROLES = {"user", "assistant", "system", "developer"};

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    @Test
    void everyGeneratedRequestReachesTheUpstreamAsItsChatTranslation() throws Exception {
        for (int seed = 0; seed < CASES; seed++) {
            Random random = new Random(seed);
            ObjectNode request = request(random);
            boolean stream = request.path("stream").asBoolean(false);
            served.upstream().enqueue(stream ? Script.sse(200).chunk(Chunks.content("ok")).done()
                    : Script.json(200, Chunks.completion("ok")));

            HttpResponse<String> response = served.client().send(served.client().request("POST", "/v1/responses",
                    Json.write(request)));

            assertEquals(200, response.statusCode(), "seed " + seed + ": " + response.body());
            ObjectNode expected = ResponsesRequest.parse(Json.writeBytes(request)).chatRequest();
            expected.remove(RouteConfig.DEFAULT_DROP_FIELDS);
            assertEquals(expected, served.upstream().nextRequest().body(), "seed " + seed + ": " + request);
        }
    }

    @Test
    void everyGeneratedAnswerReachesTheCallerWithItsTextUnchanged() throws Exception {
        for (int seed = 0; seed < CASES; seed++) {
            Random random = new Random(seed);
            StringBuilder text = new StringBuilder();
            Script answer = Script.sse(200).chunk(Chunks.role());
            int pieces = 1 + random.nextInt(8);
            for (int i = 0; i < pieces; i++) {
                String piece = TEXTS[random.nextInt(TEXTS.length)];
                text.append(piece);
                answer.chunk(Chunks.content(piece));
            }
            answer.chunk(Chunks.finish("stop"));
            if (random.nextBoolean()) {
                answer.chunk(Chunks.usage(random.nextInt(100), random.nextInt(100)));
            }
            boolean stream = random.nextBoolean();
            served.upstream().enqueue(stream ? (random.nextBoolean() ? answer.done() : answer)
                    : Script.json(200, Chunks.completion(text.toString())));

            HttpResponse<String> response = served.client().send(served.client().request("POST", "/v1/responses",
                    "{\"model\": \"gpt-4o-mini\", \"input\": \"Hi\", \"stream\": " + stream + "}"));

            assertEquals(200, response.statusCode(), "seed " + seed + ": " + response.body());
            JsonNode done = stream ? ClientReplay.replay(RecordedEvents.parse(response.body().getBytes(StandardCharsets.UTF_8)))
                    : Json.MAPPER.readTree(response.body());
            assertEquals("completed", done.path("status").asText(), "seed " + seed);
            assertEquals(text.toString(), done.path("output").get(0).path("content").get(0).path("text").asText(),
                    "seed " + seed);
            served.upstream().nextRequest();
        }
    }

    /** A Responses request of the kinds callers send: string or item input, tools, sampling fields, a vendor field. */
    private static ObjectNode request(Random random) {
        ObjectNode request = Json.object();
        request.put("model", "gpt-4o-mini");
        if (random.nextBoolean()) {
            request.put("instructions", TEXTS[random.nextInt(TEXTS.length)]);
        }
        if (random.nextInt(3) == 0) {
            request.put("input", TEXTS[random.nextInt(TEXTS.length)]);
        } else {
            ArrayNode input = request.putArray("input");
            int items = 1 + random.nextInt(4);
            for (int i = 0; i < items; i++) {
                ObjectNode message = input.addObject().put("role", ROLES[random.nextInt(ROLES.length)]);
                String text = TEXTS[random.nextInt(TEXTS.length)];
                if (random.nextBoolean()) {
                    message.put("content", text);
                } else {
                    String part = message.path("role").asText().equals("assistant") ? "output_text" : "input_text";
                    message.putArray("content").addObject().put("type", part).put("text", text);
                }
            }
        }
        if (random.nextBoolean()) {
            ArrayNode tools = request.putArray("tools");
            int count = 1 + random.nextInt(2);
            for (int i = 0; i < count; i++) {
                ObjectNode tool = tools.addObject().put("type", "function").put("name", "tool_" + i);
                tool.putObject("parameters").put("type", "object").putObject("properties");
                if (random.nextBoolean()) {
                    tool.put("strict", true);
                }
            }
            List<String> choices = List.of("auto", "none", "required");
            if (random.nextBoolean()) {
                request.put("tool_choice", choices.get(random.nextInt(choices.size())));
            } else if (random.nextBoolean()) {
                request.putObject("tool_choice").put("type", "function").put("name", "tool_0");
            }
        }
        if (random.nextBoolean()) {
            request.put("temperature", random.nextInt(20) / 10.0);
        }
        if (random.nextBoolean()) {
            request.put("top_p", random.nextInt(10) / 10.0 + 0.1);
        }
        if (random.nextBoolean()) {
            request.put("max_output_tokens", 16 + random.nextInt(1000));
        }
        if (random.nextBoolean()) {
            request.put("top_k", random.nextInt(50)); // a vendor field: passes as for chat
        }
        if (random.nextBoolean()) {
            request.putObject("metadata").put("session", "s" + random.nextInt(10)); // dropped by default
        }
        if (random.nextBoolean()) {
            request.put("stream", random.nextBoolean());
        }
        return request;
    }
}
