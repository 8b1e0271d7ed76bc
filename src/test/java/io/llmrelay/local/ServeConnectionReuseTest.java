package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RawHttpCaller;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Watching a caller's connection for a hang-up while its answer streams must not cost a caller
 * that keeps its connection: a request sent on it before the answer ended (HTTP/1.1 pipelining)
 * is answered after it, and the next request after an answer is served on the same connection.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeConnectionReuseTest {
    private static final String MODELS = "GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer "
            + RelayUnderTest.CALLER_KEY + "\r\n\r\n";

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null));

    @Test
    void aRequestPipelinedWhileAnAnswerStreamsIsAnsweredAfterIt() throws Exception {
        CountDownLatch held = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).gate(held)
                .chunk(Chunks.content("Hello")).chunk(Chunks.finish("stop")).done());
        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", RelayClient.CHAT));
            assertEquals(200, caller.readHead().status());
            caller.readEvents(1);
            caller.send(MODELS); // while the first answer is still streaming
            held.countDown();
            assertTrue(caller.readUntil("data: [DONE]\n\n").contains("Hello"));
            caller.readUntil("0\r\n\r\n");

            RawHttpCaller.Answer models = caller.readAnswer();
            assertEquals(200, models.status(), models.body());
            assertTrue(models.body().contains("gpt-4o-mini"), models.body());
        }
    }

    @Test
    void theNextRequestAfterAStreamedAnswerIsServedOnTheSameConnection() throws Exception {
        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            for (int i = 0; i < 3; i++) {
                caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", RelayClient.CHAT));
                RawHttpCaller.Answer answer = caller.readAnswer();
                assertEquals(200, answer.status(), answer.body());
                assertTrue(answer.body().endsWith("data: [DONE]\n\n"), answer.body());
            }
        }
    }
}
