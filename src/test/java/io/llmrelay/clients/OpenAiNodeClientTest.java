package io.llmrelay.clients;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.NodeScript;
import io.llmrelay.testing.RelayUnderTest;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The official npm {@code openai} client (v6, on Node) streaming from {@code serve}: the client most
 * avatar and voice platforms are built on. A small script ({@code node-client/stream-chat.mjs})
 * prints a JSON line per chunk as it arrives; the test follows those lines live.
 *
 * <p>The client is installed once into {@code <build dir>/node-client} and reused by later runs
 * ({@link NodeClient}); {@code ProviderRoutesNodeClientTest} reads translated streams with it.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // the first run installs the client from npm
class OpenAiNodeClientTest {
    private static final String MODEL = "gpt-4o-mini";
    private static final String UPSTREAM_ERROR = "The server had an error while processing your request.";

    private FakeUpstream upstream;
    private RelayUnderTest relay;

    @BeforeAll
    static void installClient() throws Exception {
        NodeClient.install();
    }

    @BeforeEach
    void start() throws Exception {
        upstream = FakeUpstream.start();
        relay = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null),
                RelayUnderTest.upstreamKeyEnv());
    }

    @AfterEach
    void stop() throws Exception {
        try {
            if (relay != null) {
                relay.close();
            }
        } finally {
            if (upstream != null) {
                upstream.close();
            }
        }
    }

    @Test
    void theFirstChunkReachesTheNodeClientWhileTheUpstreamHoldsTheRestBack() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Hel"))
                .gate(gate)
                .chunk(Chunks.content("lo from "))
                .chunk(Chunks.content("Node ✓ \"quoted\""))
                .chunk(Chunks.finish("stop"))
                .done());
        try (NodeScript client = NodeClient.start(relay, RelayUnderTest.CALLER_KEY, MODEL, "Say hello")) {
            JsonNode first = client.next();
            assertEquals("chunk", first.path("type").asText(), first.toString());
            assertEquals("assistant", first.path("role").asText());
            JsonNode second = client.next();
            assertEquals("Hel", second.path("content").asText(), second.toString());
            assertEquals(1, gate.getCount(), "the gate is still closed: the rest does not exist yet");
            gate.countDown(); // only now may the upstream send the rest

            List<JsonNode> chunks = new ArrayList<>(List.of(first, second));
            JsonNode line;
            while ((line = client.next()).path("type").asText().equals("chunk")) {
                chunks.add(line);
            }
            assertEquals("end", line.path("type").asText(), "the stream ended cleanly: " + line + client.diagnostics());
            assertEquals(1, line.path("doneEvents").asInt(), "exactly one data: [DONE]");
            assertTrue(line.path("endsWithDone").asBoolean(), "data: [DONE] is the last event");

            assertEquals(5, chunks.size(), "every chunk arrives");
            StringBuilder text = new StringBuilder();
            for (JsonNode chunk : chunks) {
                assertEquals("chatcmpl-up1", chunk.path("id").asText());
                assertEquals("chat.completion.chunk", chunk.path("object").asText());
                if (chunk.hasNonNull("content")) {
                    text.append(chunk.path("content").asText());
                }
            }
            assertEquals("Hello from Node ✓ \"quoted\"", text.toString());
            assertEquals("stop", chunks.get(4).path("finish").asText());
            assertEquals(0, client.exitCode(), client.diagnostics());
        } finally {
            gate.countDown();
        }
        FakeUpstream.Recorded request = upstream.nextRequest();
        assertTrue(request.body().path("stream").asBoolean(), "stream: true reaches the upstream");
        assertEquals("Bearer " + RelayUnderTest.UPSTREAM_KEY, request.header("authorization"));
    }

    @Test
    void anErrorAfterTheFirstByteMakesTheNodeClientThrowApiError() throws Exception {
        upstream.enqueue(Script.sse(200)
                .chunk(Chunks.role())
                .chunk(Chunks.content("Partial"))
                .chunk(Chunks.error(UPSTREAM_ERROR, "server_error", null)));
        try (NodeScript client = NodeClient.start(relay, RelayUnderTest.CALLER_KEY, MODEL, "Tell me a story")) {
            assertEquals("", client.next().path("content").asText());
            assertEquals("Partial", client.next().path("content").asText());
            JsonNode error = client.next();
            assertEquals("error", error.path("type").asText(), error.toString());
            assertEquals("APIError", error.path("class").asText(), error.toString());
            assertTrue(error.path("isAPIError").asBoolean());
            assertEquals(UPSTREAM_ERROR, error.path("message").asText());
            assertEquals("server_error", error.path("errorType").asText());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        upstream.nextRequest();
    }

    @Test
    void aWrongCallerKeyIsTheNodeClientsAuthenticationError() throws Exception {
        try (NodeScript client = NodeClient.start(relay, "rk-not-a-caller-key-000000", MODEL, "Hi")) {
            JsonNode error = client.next();
            assertEquals("error", error.path("type").asText(), error.toString());
            assertEquals("AuthenticationError", error.path("class").asText(), error.toString());
            assertTrue(error.path("isAPIError").asBoolean());
            assertEquals(401, error.path("status").asInt());
            assertEquals("invalid_api_key", error.path("code").asText());
            assertEquals(1, client.exitCode(), client.diagnostics());
        }
        assertEquals(0, upstream.requestCount(), "a refused caller never reaches the upstream");
    }
}
