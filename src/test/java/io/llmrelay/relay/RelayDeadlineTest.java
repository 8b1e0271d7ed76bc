package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The invocation deadline, through serve with a short function timeout: the relay stops
 * {@code deadlineMarginMs} before it and ends the answer itself (an error event and
 * {@code [DONE]}, or a 504 before the first byte), where Lambda (and serve, which does the same)
 * would otherwise cut the stream off mid-event. The upstream timeouts are far longer, so only the
 * deadline can be what ends these requests.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RelayDeadlineTest {
    private static final long FUNCTION_TIMEOUT_MS = 3000;
    private static final long MARGIN_MS = 1000;

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config("\"deadlineMarginMs\": " + MARGIN_MS,
                    RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]",
                            "\"default\": true, \"firstByteTimeoutMs\": 60000, \"idleTimeoutMs\": 60000")))
            .serving(serve -> serve.timeoutMs(FUNCTION_TIMEOUT_MS));

    @Test
    void aStreamStillRunningNearTheDeadlineEndsCleanlyWithADeadlineEventThenDone() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Once upon"))
                .gate(gate).chunk(Chunks.content(" a time")).done());
        try {
            HttpResponse<String> response = served.client().postChat(CHAT);

            assertEquals(200, response.statusCode());
            // Whole events and [DONE]: had the relay run into the function timeout, serve would have cut the body off.
            List<String> payloads = payloads(response.body());
            assertEquals(List.of(Chunks.role(), Chunks.content("Once upon")), payloads.subList(0, 2));
            assertEquals(4, payloads.size(), response.body());
            JsonNode error = assertErrorBody(payloads.get(2), "deadline_exceeded");
            assertTrue(error.get("message").asText().contains(MARGIN_MS + " ms"), error.toString());
            assertEquals("[DONE]", payloads.get(3));
            assertEquals(1, gate.getCount(), "the upstream was still holding the rest back");
        } finally {
            gate.countDown();
        }
        assertTrue(served.relay().output().contains("\"error\":\"deadline_exceeded\""), "the request log says why");
    }

    @Test
    void noResponseHeadBeforeTheDeadlineIsA504DeadlineExceeded() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).holdHead(gate).chunk(Chunks.role()).done());
        try {
            HttpResponse<String> response = served.client().postChat(CHAT);

            assertOpenAiError(response, 504, "deadline_exceeded");
            assertEquals(1, gate.getCount(), "the upstream was still holding its answer back");
        } finally {
            gate.countDown();
        }
    }

    @Test
    void theNextRequestGetsItsOwnDeadline() throws Exception {
        HttpResponse<String> response = served.client().postChat(CHAT);

        assertEquals(200, response.statusCode());
        assertTrue(response.body().endsWith("data: [DONE]\n\n"), response.body());
    }
}
