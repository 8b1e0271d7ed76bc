package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.keys.KeyDigest;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Per-caller access ({@code callers[].routes}): a caller sees only the routes it may use, as if
 * no other existed. A model served by another route is, for it, a model nobody serves (404
 * {@code model_not_found} in the words of an unknown model, or its own default route), and
 * {@code GET /v1/models} lists only its routes' models.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CallerAccessTest {
    private static final String VAPI_KEY = "rk-test-vapi-only-voice-routes-31a";
    private static final String ELEVEN_KEY = "rk-test-eleven-only-its-route-82c";
    private static final String CATCHALL_KEY = "rk-test-voice-a-and-catchall-5d0";

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> """
            {"callers": [{"name": "tester", "keySha256": "%s"},
                         {"name": "vapi", "keySha256": "%s", "routes": ["voice-*"]},
                         {"name": "eleven", "keySha256": "%s", "routes": ["eleven"]},
                         {"name": "catchall", "keySha256": "%s", "routes": ["voice-a", "catchall"]}],
             "routes": [%s, %s, %s, %s]}""".formatted(KeyDigest.sha256Hex(RelayUnderTest.CALLER_KEY),
            KeyDigest.sha256Hex(VAPI_KEY), KeyDigest.sha256Hex(ELEVEN_KEY), KeyDigest.sha256Hex(CATCHALL_KEY),
            route(upstream, "voice-a", "[\"voice-a-model\"]", ""),
            route(upstream, "voice-b", "[\"voice-b-model\", \"shared-*\"]", ""),
            route(upstream, "eleven", "[\"eleven-model\"]", ""),
            route(upstream, "catchall", "[\"catchall-model\"]", ", \"default\": true")));

    @AfterAll
    static void noCallerKeyWasPrintedOrEchoed() {
        String everything = served.client().everythingReceived() + served.relay().output();
        for (String key : List.of(VAPI_KEY, ELEVEN_KEY, CATCHALL_KEY)) {
            assertFalse(everything.contains(key), "a caller key was printed or echoed");
        }
    }

    private static String route(FakeUpstream upstream, String name, String models, String extra) {
        return RelayUnderTest.route(name, upstream.baseUrl().replace("/v1", "/" + name + "/v1"), models,
                extra.isEmpty() ? null : extra.substring(2));
    }

    private static HttpResponse<String> chat(String key, String model) throws Exception {
        return served.client().send(served.client().chatWithoutKey(CHAT.replace("gpt-4o-mini", model))
                .header("authorization", "Bearer " + key));
    }

    private static List<String> models(String key) throws Exception {
        HttpResponse<String> response = served.client().send(HttpRequest.newBuilder(served.relay().uri("/v1/models"))
                .GET().header("authorization", "Bearer " + key));
        assertEquals(200, response.statusCode(), response.body());
        List<String> ids = new ArrayList<>();
        json(response.body()).path("data").forEach(entry -> ids.add(entry.path("id").asText()));
        return ids;
    }

    @Test
    void aCallerUsesTheRoutesItLists() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content("ok")).done());

        assertEquals(200, chat(VAPI_KEY, "voice-b-model").statusCode());
        assertEquals("/voice-b/v1/chat/completions", served.upstream().nextRequest().path());
    }

    @Test
    void anotherRoutesModelIsRefusedExactlyAsAnUnknownModelIs() throws Exception {
        HttpResponse<String> refused = chat(VAPI_KEY, "eleven-model");
        HttpResponse<String> unknown = chat(VAPI_KEY, "eleven-modex");

        JsonNode error = assertOpenAiError(refused, 404, "model_not_found");
        assertOpenAiError(unknown, 404, "model_not_found");
        assertEquals(unknown.body().replace("eleven-modex", "eleven-model"), refused.body(),
                "the same words: nothing tells the caller that the model exists for someone else");
        assertEquals("model", error.path("param").asText());
        assertEquals(0, served.upstream().requestCount(), "no upstream was asked");
    }

    @Test
    void aDefaultRouteTheCallerMayNotUseServesItNothing() throws Exception {
        assertOpenAiError(chat(ELEVEN_KEY, "anything-else"), 404, "model_not_found");
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content("ok")).done());

        assertEquals(200, chat(RelayUnderTest.CALLER_KEY, "anything-else").statusCode(), "a caller without routes uses all");
        assertEquals("/catchall/v1/chat/completions", served.upstream().nextRequest().path());
    }

    @Test
    void anotherRoutesModelGoesToTheCallersOwnDefaultLikeAnyUnknownModel() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content("ok")).done());
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.content("ok")).done());

        assertEquals(200, chat(CATCHALL_KEY, "eleven-model").statusCode());
        assertEquals(200, chat(CATCHALL_KEY, "no-such-model").statusCode());
        assertEquals("/catchall/v1/chat/completions", served.upstream().nextRequest().path());
        assertEquals("/catchall/v1/chat/completions", served.upstream().nextRequest().path());
    }

    @Test
    void theModelListHoldsOnlyTheCallersRoutesModels() throws Exception {
        assertEquals(List.of("voice-a-model", "voice-b-model"), models(VAPI_KEY));
        assertEquals(List.of("eleven-model"), models(ELEVEN_KEY));
        assertEquals(List.of("voice-a-model", "catchall-model"), models(CATCHALL_KEY));
        assertEquals(List.of("voice-a-model", "voice-b-model", "eleven-model", "catchall-model"),
                models(RelayUnderTest.CALLER_KEY));
    }
}
