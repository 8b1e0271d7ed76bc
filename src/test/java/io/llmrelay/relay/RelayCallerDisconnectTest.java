package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RawHttpCaller;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A caller that hangs up mid-stream: the relay's next write fails, and it abandons the upstream
 * exchange at once, so the model stops generating (and billing) tokens nobody will hear. Seen
 * from the upstream's side: its connection is closed shortly after the client's.
 *
 * <p>In {@code serve} the hang-up reaches the function at once: serve notices the caller's reset
 * while the function is still waiting for its upstream, and the function's very next write fails,
 * so the relay sends nothing more after the hang-up, early or late in the stream.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayCallerDisconnectTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    /** At debug, serve also says the moment it notices a hang-up: the tests wait for that line. */
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
            .serving(serve -> serve.env(Map.of("UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY, "RELAY_LOG_LEVEL", "debug")));

    @Test
    void whenTheClientClosesAfterTheFirstChunkTheUpstreamConnectionIsClosedSoonAfter() throws Exception {
        // An upstream that would go on generating for 40 s (2000 tokens, one per 20 ms) unless stopped.
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role())
                .chunksUntilClosed(i -> Chunks.content(" token" + i), Duration.ofMillis(20), 2000));

        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", CHAT));
            RawHttpCaller.Head head = caller.readHead();
            assertEquals(200, head.status());
            String firstChunk = caller.readEvents(1);
            assertTrue(firstChunk.contains("data: " + Chunks.role()), firstChunk);
            // Hang up hard (RST), as a phone platform dropping a call does.
            caller.reset();
        }
        int request = served.upstream().nextRequest().index();

        assertTrue(served.upstream().awaitWriteFailure(request, WAIT),
                "the upstream's connection was closed within 10 s of the client's (it streams for 40 s otherwise)");
        assertTrue(served.relay().awaitOutput("\"error\":\"caller_disconnected\"", WAIT), served.relay().output());
    }

    @Test
    void aHangUpRightAfterTheFirstEventStopsTheRelayAtItsNextWrite() throws Exception {
        hangUpAfter(1);
    }

    @Test
    void aHangUpLateInTheStreamIsNoticedTooAndNotLoggedAsACleanAnswer() throws Exception {
        // Before this was fixed, a hang-up a few events before the end went unnoticed and was logged as a clean 200.
        hangUpAfter(12);
    }

    @Test
    void theRelayServesTheNextCallerNormally() throws Exception {
        RelayClient client = new RelayClient(served.relay());

        assertEquals(200, client.postChat(CHAT).statusCode());
        client.assertNoKeyLeaked();
    }

    /**
     * The caller reads {@code events} events and resets while the upstream is held back, so the
     * relay is waiting for its upstream, not writing. serve must notice the hang-up by itself;
     * then, once the upstream goes on, the relay's very next write fails: it closes the upstream
     * and logs {@code caller_disconnected} having sent exactly the events the caller read.
     */
    private static void hangUpAfter(int events) throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        Script script = Script.sse(200).chunk(Chunks.role());
        for (int i = 1; i < events; i++) {
            script.chunk(Chunks.content(" early" + i));
        }
        served.upstream().enqueue(script.gate(held)
                .chunksUntilClosed(i -> Chunks.content(" late" + i), Duration.ofMillis(20), 2000));

        String requestId;
        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", CHAT));
            RawHttpCaller.Head head = caller.readHead();
            assertEquals(200, head.status());
            requestId = head.header("x-request-id");
            assertNotNull(requestId);
            caller.readEvents(events);
            caller.reset();
        }
        int request = served.upstream().nextRequest().index();

        assertTrue(served.relay().awaitOutput("serve: invocation " + requestId + ": the client hung up", WAIT),
                "serve noticed the hang-up while the function was still waiting for its upstream: " + served.relay().output());
        held.countDown();
        assertTrue(served.upstream().awaitWriteFailure(request, WAIT), "the relay closed its upstream");
        String line = served.relay().awaitLine("\"requestId\":\"" + requestId + "\"", WAIT);
        assertNotNull(line, served.relay().output());
        JsonNode logged = Json.MAPPER.readTree(line);
        assertEquals("caller_disconnected", logged.path("error").asText(), line);
        assertEquals(events, logged.path("chunks").asInt(), "the relay's first write after the hang-up failed: " + line);
    }
}
