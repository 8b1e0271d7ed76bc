package io.llmrelay.cli.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.cli.probe.PacedUpstream.Script;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.RelayUnderTest;
import java.net.http.HttpClient;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A stream paced like a model's, through serve: the relay lets each chunk go as it comes, so no burst. */
class ProbeServePacedTest {

    @Test
    void aPacedStreamThroughServeIsNotBursty() throws Exception {
        Script paced = Script.sse().events(Chunks.role()).pause(20).paced(8, 20, i -> Chunks.content("w" + i)).pause(20)
                .events(Chunks.finish("stop"), "[DONE]");
        try (PacedUpstream upstream = PacedUpstream.start(paced);
                RelayUnderTest relay = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null),
                        RelayUnderTest.upstreamKeyEnv());
                HttpClient http = Probing.http()) {
            // One request first, not asserted on: serve's first request runs cold code (class loading,
            // the interpreter), and while it does, a fast upstream gets ahead and several chunks can
            // leave together. That is real, and the probe shows it (first content late, gap p50 near
            // 0), but this test is about the steady path.
            Probing.probe(http, Map.of("K", RelayUnderTest.CALLER_KEY), relay.baseUrl().toString(), "--key", "env:K",
                    "--requests", "1");

            Probing.Result r = Probing.probe(http, Map.of("K", RelayUnderTest.CALLER_KEY),
                    relay.baseUrl().toString(), "--key", "env:K", "--requests", "2");

            assertEquals(0, r.exit(), r.out());
            for (int i = 0; i < 2; i++) {
                JsonNode req = r.request(i);
                assertEquals(10, req.path("chunks").asInt(), req.toString());
                assertEquals(0, req.path("heldBack").asInt(), req.toString());
                assertTrue(req.path("gapP50Ms").asDouble() > 10, "the pace came through: " + req);
            }
            RelayUnderTest.assertNoTestKeyIn(r.everything());
        }
    }
}
