package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code RELAY_LOG_LEVEL} as serve reads it from its environment. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RequestLogLevelTest {

    private static List<JsonNode> requestLines(RelayUnderTest relay) {
        List<JsonNode> lines = new ArrayList<>();
        for (String line : relay.output().split("\n")) {
            if (line.startsWith("{\"log\":\"request\"")) {
                lines.add(RelayClient.json(line));
            }
        }
        return lines;
    }

    @Test
    void atErrorOnlyFailedRequestsAreLogged() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start();
                RelayUnderTest relay = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null),
                        Map.of("UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY, "RELAY_LOG_LEVEL", "error"))) {
            RelayClient client = new RelayClient(relay);

            assertEquals(200, client.postChat(CHAT).statusCode());
            HttpResponse<String> refused = client.send(client.chatWithoutKey(CHAT));
            assertEquals(401, refused.statusCode());

            List<JsonNode> lines = requestLines(relay);
            assertEquals(1, lines.size(), relay.output());
            assertEquals("error", lines.get(0).get("level").asText());
            assertEquals("invalid_api_key", lines.get(0).get("error").asText());
            assertTrue(relay.output().contains("request log error"), "serve says which level it uses");
            client.assertNoKeyLeaked();
        }
    }

    @Test
    void atOffNothingIsLoggedAndByDefaultEveryRequestIs() throws Exception {
        try (FakeUpstream upstream = FakeUpstream.start();
                RelayUnderTest quiet = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null),
                        Map.of("UPSTREAM_KEY", RelayUnderTest.UPSTREAM_KEY, "RELAY_LOG_LEVEL", "off"));
                RelayUnderTest usual = RelayUnderTest.serve(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null),
                        RelayUnderTest.upstreamKeyEnv())) {
            for (RelayUnderTest relay : List.of(quiet, usual)) {
                RelayClient client = new RelayClient(relay);
                client.postChat(CHAT);
                client.send(client.chatWithoutKey(CHAT));
            }

            assertEquals(0, requestLines(quiet).size(), quiet.output());
            List<JsonNode> lines = requestLines(usual);
            assertEquals(2, lines.size(), usual.output());
            assertEquals("info", lines.get(0).get("level").asText());
            assertEquals(200, lines.get(0).get("upstreamStatus").asInt());
            assertEquals(1, lines.get(0).get("attempts").asInt());
            assertTrue(lines.get(0).has("timeToFirstByteMs") && lines.get(0).get("chunks").asInt() == 4, lines.get(0).toString());
        }
    }
}
