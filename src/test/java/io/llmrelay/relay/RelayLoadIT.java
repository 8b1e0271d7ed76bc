package io.llmrelay.relay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.json.Json;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Load through serve (local Function URL, runtime loops, Runtime API, handler) against the
 * loopback upstream: {@value #CONCURRENT} streams at once, {@value #ROUNDS} rounds. Every stream
 * must arrive complete and byte for byte as expected for its own request (each answer quotes
 * its request, so a mixed-up or lost chunk shows), and the heap after GC must not grow from
 * round to round. A failsafe IT, so that the unit suite stays fast. Run twice: one invocation per
 * execution environment (Lambda's default: {@value #CONCURRENT} environments), and
 * {@value #PER_ENVIRONMENT} per environment (Lambda Managed Instances: {@value #CONCURRENT} /
 * {@value #PER_ENVIRONMENT} environments whose runtime loops share one handler, its caches, upstream
 * client and request log).
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class RelayLoadIT {
    private static final int CONCURRENT = 64;
    private static final int ROUNDS = 8;
    private static final int PER_ENVIRONMENT = 4;
    private static final int CONTENT_CHUNKS = 24;
    /** Generous: a real leak of per-stream state (buffers, watchdog tasks, connections) grows far faster. */
    private static final long HEAP_GROWTH_LIMIT_BYTES = 64L * 1024 * 1024;

    /** The answer to the request that says {@code tag}: its chunks quote the tag. */
    private static List<String> chunksFor(String tag) {
        List<String> chunks = new ArrayList<>();
        chunks.add(Chunks.role());
        for (int i = 0; i < CONTENT_CHUNKS; i++) {
            chunks.add(Chunks.content(" " + tag + " part " + i + " – ü ✓"));
        }
        chunks.add(Chunks.finish("stop"));
        chunks.add(Chunks.usage(7, CONTENT_CHUNKS));
        return chunks;
    }

    private static String expectedBody(String tag) {
        StringBuilder body = new StringBuilder();
        for (String chunk : chunksFor(tag)) {
            body.append("data: ").append(chunk).append("\n\n");
        }
        return body.append("data: [DONE]\n\n").toString();
    }

    private static String request(String tag) {
        return "{\"model\": \"gpt-4o-mini\", \"stream\": true, \"stream_options\": {\"include_usage\": true},"
                + " \"messages\": [{\"role\": \"user\", \"content\": " + Json.write(tag) + "}]}";
    }

    @Test
    void manyConcurrentStreamsForSeveralRoundsArriveCompleteAndByteExactWithAFlatHeap() throws Exception {
        streamRounds(CONCURRENT, 1);
    }

    @Test
    void withFourInvocationsPerEnvironmentTheSharedHandlerStaysByteExactWithAFlatHeap() throws Exception {
        streamRounds(CONCURRENT / PER_ENVIRONMENT, PER_ENVIRONMENT);
    }

    private void streamRounds(int environments, int perEnvironment) throws Exception {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (FakeUpstream upstream = FakeUpstream.start();
                RelayUnderTest relay = RelayUnderTest.with(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
                        .env(RelayUnderTest.upstreamKeyEnv())
                        .concurrency(environments)
                        .invocationsPerEnvironment(perEnvironment)
                        .start()) {
            upstream.respondWith(recorded -> {
                Script script = Script.sse(200);
                chunksFor(recorded.body().at("/messages/0/content").asText()).forEach(script::chunk);
                return script.done();
            });
            ExecutorService callers = Executors.newFixedThreadPool(CONCURRENT);
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).executor(callers)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            List<Long> heapAfterRound = new ArrayList<>();
            int relayed = 0;
            try {
                for (int round = 1; round <= ROUNDS; round++) {
                    long started = System.nanoTime();
                    List<CompletableFuture<HttpResponse<byte[]>>> calls = new ArrayList<>();
                    for (int i = 0; i < CONCURRENT; i++) {
                        calls.add(http.sendAsync(RelayClient.chat(relay.baseUrl(), request("r" + round + "-s" + i))
                                .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofByteArray()));
                    }
                    for (int i = 0; i < CONCURRENT; i++) {
                        HttpResponse<byte[]> response = calls.get(i).get(90, TimeUnit.SECONDS);
                        String tag = "r" + round + "-s" + i;
                        assertEquals(200, response.statusCode(), tag);
                        assertEquals(expectedBody(tag), new String(response.body(), StandardCharsets.UTF_8), tag);
                        relayed++;
                    }
                    long tookMs = (System.nanoTime() - started) / 1_000_000;
                    assertEquals(CONCURRENT, upstream.requestCount(), "each stream reached the upstream exactly once");
                    upstream.reset(); // the test's own record of requests must not count as the relay's heap
                    long heap = heapAfterGc(memory);
                    heapAfterRound.add(heap);
                    System.out.printf("load (%d per environment): round %d: %d concurrent streams complete and"
                            + " byte-exact in %d ms; heap after GC %.1f MB%n", perEnvironment, round, CONCURRENT, tookMs,
                            heap / 1048576.0);
                }
            } finally {
                callers.shutdownNow();
            }

            assertEquals(CONCURRENT * ROUNDS, relayed);
            assertEquals(CONCURRENT * ROUNDS, okRequestLines(relay), "one request log line per stream, none with an error");
            // Round 1 warms up (class loading, JIT, pools); the heap is compared from round 2 on.
            long baseline = heapAfterRound.get(1);
            long last = heapAfterRound.get(ROUNDS - 1);
            System.out.printf("load: heap after GC, round 2 %.1f MB, round %d %.1f MB (limit: round 2 + %d MB)%n",
                    baseline / 1048576.0, ROUNDS, last / 1048576.0, HEAP_GROWTH_LIMIT_BYTES / 1048576);
            assertTrue(last < baseline + HEAP_GROWTH_LIMIT_BYTES, "heap grew from " + baseline + " to " + last + " bytes");
        }
    }

    private static long okRequestLines(RelayUnderTest relay) {
        return relay.output().lines()
                .filter(line -> line.startsWith("{\"log\":\"request\""))
                .map(RelayClient::json)
                .filter(line -> line.get("status").asInt() == 200 && !line.has("error"))
                .count();
    }

    private static long heapAfterGc(MemoryMXBean memory) throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(100); // lets reference processing and any concurrent cycle finish
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
