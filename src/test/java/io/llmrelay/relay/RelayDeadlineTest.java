package io.llmrelay.relay;

import static io.llmrelay.testing.RelayClient.CHAT;
import static io.llmrelay.testing.RelayClient.assertErrorBody;
import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static io.llmrelay.testing.RelayClient.json;
import static io.llmrelay.testing.RelayClient.payloads;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.aws.AwsClientSettings;
import io.llmrelay.aws.AwsClients;
import io.llmrelay.keys.KeyResolvers;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.MotoServer;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
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

    /** A KMS endpoint that accepts connections and never answers: the SDK would wait out its own timeouts (5 s, 12 s). */
    private static SilentServer silentKms;

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> {
        silentKms = SilentServer.start();
        return RelayUnderTest.config("\"deadlineMarginMs\": " + MARGIN_MS,
                RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]",
                        "\"default\": true, \"firstByteTimeoutMs\": 60000, \"idleTimeoutMs\": 60000"),
                """
                {"name": "hung-kms", "baseUrl": "%s", "apiKey": "kms:AQICAHhHUNGKMSCIPHERTEXT", "models": ["hung-model"]}"""
                        .formatted(upstream.baseUrl()));
    }).serving(serve -> serve.timeoutMs(FUNCTION_TIMEOUT_MS).customize(setup -> setup.withKeys(KeyResolvers.standard(
            RelayUnderTest.upstreamKeyEnv(), Duration.ofMinutes(5), new AwsClients(AwsClientSettings.emulator(
                    silentKms.endpoint(), MotoServer.REGION, MotoServer.CREDENTIALS))))));

    @AfterAll
    static void stopSilentKms() throws IOException {
        if (silentKms != null) {
            silentKms.close();
        }
    }

    @Test
    void aKeyStoreThatHangsCannotHoldTheInvocationPastTheDeadlineMarginNorCanTheCachesWait() throws Exception {
        // Two requests at once: one starts the key load, the other waits for that same load.
        ExecutorService callers = Executors.newFixedThreadPool(2);
        try {
            List<Future<HttpResponse<String>>> answers = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                answers.add(callers.submit(() -> served.client().postChat(CHAT.replace("gpt-4o-mini", "hung-model"))));
            }
            for (Future<HttpResponse<String>> answer : answers) {
                // The relay's own 504, not serve's "Task timed out" at the function timeout.
                JsonNode error = assertOpenAiError(answer.get(30, TimeUnit.SECONDS), 504, "deadline_exceeded");
                assertTrue(error.get("message").asText().contains(MARGIN_MS + " ms"), error.toString());
            }
        } finally {
            callers.shutdownNow();
        }
        // The load goes on in the background (the SDK may still have been starting at the deadline).
        assertTrue(silentKms.awaitConnection(20), "the relay did call KMS, which never answered");
        assertEquals(0, served.upstream().requestCount(), "nothing went upstream without a key");
        assertFalse(served.relay().output().contains("Task timed out"), served.relay().output());
        assertTrue(served.relay().output().contains("\"outcome\":\"key_timeout\"")
                || served.relay().output().contains("\"error\":\"deadline_exceeded\""), "the request log says why");
    }

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
    void aResponsesStreamStillRunningNearTheDeadlineEndsWithAnErrorEventThenResponseFailed() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        served.upstream().enqueue(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("Once upon"))
                .gate(gate).chunk(Chunks.content(" a time")).done());
        try {
            HttpResponse<String> response = served.client().send(served.client().request("POST", "/v1/responses",
                    "{\"model\": \"gpt-4o-mini\", \"stream\": true, \"input\": \"Hi\"}"));

            assertEquals(200, response.statusCode());
            List<String> events = List.of(response.body().split("\n\n"));
            assertTrue(events.get(events.size() - 2).startsWith("event: error\ndata: "), response.body());
            JsonNode error = json(events.get(events.size() - 2).substring("event: error\ndata: ".length()));
            assertEquals("deadline_exceeded", error.path("code").asText(), error.toString());
            assertTrue(error.path("message").asText().contains(MARGIN_MS + " ms"), error.toString());
            assertTrue(events.get(events.size() - 1).startsWith("event: response.failed\n"), "the terminal event, last");
            assertTrue(response.body().contains("\"delta\":\"Once upon\""), "the text before it went out");
            assertEquals(1, gate.getCount(), "the upstream was still holding the rest back");
        } finally {
            gate.countDown();
        }
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
