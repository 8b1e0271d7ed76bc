package io.llmrelay.local;

import static io.llmrelay.testing.RelayClient.assertOpenAiError;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What {@code serve} does beyond {@code --concurrency}: up to {@code --queue} invocations wait for
 * an environment, and the next is refused at once with 429, {@code retry-after} and an OpenAI error
 * body, with one line in serve's output. The upstream holds the running invocation back on a gate,
 * so which invocation runs, waits or is refused depends on nothing but the limit.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeQueueLimitTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    private static RelayUnderTest serve(FakeUpstream upstream, int concurrency, int queue) throws Exception {
        return RelayUnderTest.with(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
                .env(RelayUnderTest.upstreamKeyEnv()).concurrency(concurrency).queue(queue).start();
    }

    /** Starts a request whose upstream answer waits for {@code gate}, and waits until the upstream has it. */
    private static CompletableFuture<HttpResponse<String>> running(RelayClient client, FakeUpstream upstream,
            CountDownLatch gate) throws Exception {
        upstream.enqueue(Script.sse(200).holdHead(gate).chunk(Chunks.content("held")).chunk(Chunks.finish("stop")).done());
        CompletableFuture<HttpResponse<String>> answer = client.sendAsync(client.chat(RelayClient.CHAT));
        upstream.nextRequest(); // its environment is busy with it now
        return answer;
    }

    @Test
    void beyondTheEnvironmentsOneWaitsAndTheNextGets429WithRetryAfter() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (FakeUpstream upstream = FakeUpstream.start(); RelayUnderTest relay = serve(upstream, 1, 1)) {
            RelayClient client = new RelayClient(relay);
            CompletableFuture<HttpResponse<String>> first = running(client, upstream, gate);
            try {
                // Two more at once: one may wait (--queue 1), the other is one too many.
                List<CompletableFuture<HttpResponse<String>>> more = List.of(
                        client.sendAsync(client.chat(RelayClient.CHAT)), client.sendAsync(client.chat(RelayClient.CHAT)));
                CompletableFuture.anyOf(more.toArray(CompletableFuture[]::new)).get(WAIT.toSeconds(), TimeUnit.SECONDS);
                CompletableFuture<HttpResponse<String>> refused = more.get(0).isDone() ? more.get(0) : more.get(1);
                CompletableFuture<HttpResponse<String>> waiting = refused == more.get(0) ? more.get(1) : more.get(0);

                HttpResponse<String> throttled = refused.get();
                JsonNode error = assertOpenAiError(throttled, 429, "rate_limit_exceeded");
                assertEquals("1", throttled.headers().firstValue("retry-after").orElse(null));
                assertTrue(error.path("message").asText().contains("--concurrency 1") && error.path("message").asText()
                        .contains("--queue 1"), error.toString());
                String line = relay.awaitLine("refused with 429", WAIT);
                assertTrue(line != null && line.matches("\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}\\.\\d{3} serve: invocation "
                        + throttled.headers().firstValue("x-request-id").orElseThrow() + " refused with 429: .*"), line);
                assertFalse(first.isDone() || waiting.isDone(), "the first still runs and the second still waits");
                assertEquals(0, upstream.requestCount(), "the waiting one has not reached an environment");

                gate.countDown();
                assertEquals(200, first.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
                assertEquals(200, waiting.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode(), "it waited, then ran");
            } finally {
                gate.countDown();
            }
            assertEquals(200, client.postChat(RelayClient.CHAT).statusCode(), "room again once they are done");
            assertEquals(1, relay.output().lines().filter(l -> l.contains("refused with 429")).count(), relay.output());
        }
    }

    @Test
    void withQueueZeroNothingWaitsAsOnLambda() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (FakeUpstream upstream = FakeUpstream.start(); RelayUnderTest relay = serve(upstream, 1, 0)) {
            RelayClient client = new RelayClient(relay);
            CompletableFuture<HttpResponse<String>> first = running(client, upstream, gate);
            try {
                HttpResponse<String> throttled = client.postChat(RelayClient.CHAT);

                assertOpenAiError(throttled, 429, "rate_limit_exceeded");
                assertEquals("1", throttled.headers().firstValue("retry-after").orElse(null));
                assertFalse(first.isDone());
                gate.countDown();
                assertEquals(200, first.get(WAIT.toSeconds(), TimeUnit.SECONDS).statusCode());
            } finally {
                gate.countDown();
            }
            assertEquals(200, client.postChat(RelayClient.CHAT).statusCode());
        }
    }
}
