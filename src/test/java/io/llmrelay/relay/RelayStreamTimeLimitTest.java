package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A route's {@code maxStreamSeconds}: a stream that would go on (an upstream that never stops, a
 * caller nobody can tell has gone) is ended by the relay when it has lasted that long: one error
 * event {@code stream_time_limit}, then {@code [DONE]}, and the upstream's connection is closed, so
 * the model stops generating and the invocation stops being billed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayStreamTimeLimitTest {
    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream ->
            RelayUnderTest.oneRouteConfig(upstream.baseUrl(), "\"maxStreamSeconds\": 1"));

    @Test
    void aStreamThatReachesItsLimitEndsWithStreamTimeLimitAndDoneAndTheUpstreamIsClosed() throws Exception {
        // An upstream that would stream for 100 s (one token per 20 ms) unless stopped.
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role())
                .chunksUntilClosed(i -> Chunks.content(" token" + i), Duration.ofMillis(20), 5000));
        String body = served.client().postChat(CHAT).body();

        assertTrue(body.endsWith("data: [DONE]\n\n"), body);
        String[] events = body.split("\n\n");
        JsonNode error = RelayClient.json(RelayClient.payloadOf(events[events.length - 2] + "\n\n"));
        assertEquals("stream_time_limit", error.at("/error/code").asText(), body);
        assertTrue(error.at("/error/message").asText().contains("'main'"), body);
        assertTrue(body.contains(" token1"), "chunks were relayed until the limit: " + body);
        assertTrue(!body.contains(" token4999"), "ended by the limit, not by the upstream");
        int request = served.upstream().nextRequest().index();
        assertTrue(served.upstream().awaitWriteFailure(request, Duration.ofSeconds(10)),
                "the upstream's connection was closed");
        assertTrue(served.relay().awaitOutput("\"error\":\"stream_time_limit\"", Duration.ofSeconds(10)),
                served.relay().output());
    }

    @Test
    void aStreamThatEndsInTimeIsNotTouched() throws Exception {
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("hi"))
                .chunk(Chunks.finish("stop")).done());

        String body = served.client().postChat(CHAT).body();

        assertEquals("data: " + Chunks.role() + "\n\ndata: " + Chunks.content("hi") + "\n\ndata: "
                + Chunks.finish("stop") + "\n\ndata: [DONE]\n\n", body);
    }
}
