package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The invocation's deadline bounds a hedge race: when neither attempt has a first event by the
 * relay's stop point, both are cancelled (their connections closed) and the caller gets 504
 * {@code deadline_exceeded}, though each attempt's own first-byte timeout is far off.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class HedgeDeadlineTest {
    /** serve's function timeout, and the relay's margin before it: 1 s to work with. */
    private static final long FUNCTION_TIMEOUT_MS = 1_500;
    private static final long MARGIN_MS = 500;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final FakeUpstream hedge = start();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(primary -> RelayUnderTest.config(
            "\"deadlineMarginMs\": " + MARGIN_MS,
            RelayUnderTest.route("voice", primary.baseUrl(), "[\"voice-model\"]",
                    "\"hedgeAfterMs\": 100, \"hedgeRoute\": \"quick\", \"fallback\": [\"quick\"]"),
            RelayUnderTest.route("quick", hedge.baseUrl(), "[\"quick-model\"]", null)))
            .serving(serve -> serve.env(RelayUnderTest.upstreamKeyEnv()).timeoutMs(FUNCTION_TIMEOUT_MS));

    private static FakeUpstream start() {
        try {
            return FakeUpstream.start();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @AfterAll
    static void stopTheHedgeUpstream() {
        hedge.close();
    }

    @Test
    void theDeadlineEndsTheRaceAndClosesBothConnections() throws Exception {
        CountDownLatch primaryGate = new CountDownLatch(1);
        CountDownLatch hedgeGate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).holdHead(primaryGate)
                .chunksUntilClosed(i -> Chunks.content("p" + i), Duration.ofMillis(5), 2000));
        hedge.enqueue(Script.sse(200).holdHead(hedgeGate)
                .chunksUntilClosed(i -> Chunks.content("h" + i), Duration.ofMillis(5), 2000));
        try {
            HttpResponse<String> response = served.client().postChat(CHAT.replace("gpt-4o-mini", "voice-model"));

            assertOpenAiError(response, 504, "deadline_exceeded");
            String id = response.headers().firstValue("x-request-id").orElseThrow();
            String line = served.relay().awaitLine("\"requestId\":\"" + id + "\"", WAIT);
            assertNotNull(line, served.relay().output());
            JsonNode hedgeLog = json(line).path("hedge");
            assertEquals("none", hedgeLog.path("winner").asText(), line);
            assertTrue(hedgeLog.path("started").asBoolean(), line);
            assertEquals(1, hedge.requestCount(), "the fallback (the same route) was not tried past the deadline");
        } finally {
            primaryGate.countDown();
            hedgeGate.countDown();
        }
        assertTrue(served.upstream().awaitWriteFailure(served.upstream().nextRequest().index(), WAIT),
                "the primary's connection was closed");
        assertTrue(hedge.awaitWriteFailure(hedge.nextRequest().index(), WAIT), "the hedge's connection was closed");
    }
}
