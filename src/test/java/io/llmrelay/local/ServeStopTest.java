package io.llmrelay.local;

import io.llmrelay.testing.Background;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RelayClient;
import io.llmrelay.testing.RelayUnderTest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When serve stops, its runtime loops stop with it and say nothing: each loop ends because serve
 * stops it and its Runtime API goes away, which on Lambda would be worth a line and in a stopping
 * serve is noise; so is the failure of an invocation that was still streaming.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeStopTest {
    private static final int ENVIRONMENTS = 3;

    @Test
    void stoppingServeWithSeveralEnvironmentsPrintsNoRuntimeLoopLines() throws Exception {
        List<Thread> others = runtimeLoops(); // of serves other tests left running, if any
        try (FakeUpstream upstream = FakeUpstream.start()) {
            CountDownLatch allArrived = new CountDownLatch(1);
            upstream.byDefault(Script.sse(200).holdHead(allArrived).chunk(Chunks.role())
                    .chunk(Chunks.content("hi")).chunk(Chunks.finish("stop")).done());
            RelayUnderTest relay = RelayUnderTest.with(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
                    .env(RelayUnderTest.upstreamKeyEnv()).concurrency(ENVIRONMENTS).start();
            String output;
            try {
                // As many requests at once as environments: each one needs its own.
                RelayClient client = new RelayClient(relay);
                List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
                for (int i = 0; i < ENVIRONMENTS; i++) {
                    answers.add(client.sendAsync(client.chat(RelayClient.CHAT)));
                }
                for (int i = 0; i < ENVIRONMENTS; i++) {
                    upstream.nextRequest();
                }
                allArrived.countDown();
                for (CompletableFuture<HttpResponse<String>> answer : answers) {
                    assertEquals(200, answer.get(20, TimeUnit.SECONDS).statusCode());
                }
                assertTrue(loopsOfThisServe(others).size() >= ENVIRONMENTS, "environments running: " + runtimeLoops());
            } finally {
                relay.close();
                for (Thread loop : loopsOfThisServe(others)) {
                    loop.join(5_000); // whatever a loop prints on its way out is printed by now
                }
                output = relay.output();
            }
            assertTrue(loopsOfThisServe(others).isEmpty(), "every runtime loop stopped with serve: " + runtimeLoops());
            assertFalse(output.contains("next failed"), output);
            assertFalse(output.contains("llm-relay runtime:"), output);
        }
    }

    /**
     * An invocation still streaming when serve stops cannot complete: its caller is cut off and its
     * Runtime API goes away. The loop running it says nothing of that either, and ends.
     */
    @Test
    void stoppingServeInTheMiddleOfAStreamPrintsNoRuntimeLoopLines() throws Exception {
        List<Thread> others = runtimeLoops();
        try (FakeUpstream upstream = FakeUpstream.start()) {
            CountDownLatch streaming = new CountDownLatch(1);
            CountDownLatch rest = new CountDownLatch(1);
            upstream.byDefault(Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("hi")).signal(streaming)
                    .gate(rest).chunk(Chunks.content(" again")).chunk(Chunks.finish("stop")).done());
            RelayUnderTest relay = RelayUnderTest.with(RelayUnderTest.oneRouteConfig(upstream.baseUrl(), null))
                    .env(RelayUnderTest.upstreamKeyEnv()).concurrency(1).start();
            String output;
            CompletableFuture<Void> closed = null;
            RelayClient client = new RelayClient(relay);
            try (RelayClient.EventStream stream = client.open(client.chat(RelayClient.CHAT))) {
                assertEquals(200, stream.response().statusCode());
                assertTrue(stream.nextPayload().contains("\"role\""), stream.readSoFar());
                assertTrue(streaming.await(20, TimeUnit.SECONDS));
                closed = CompletableFuture.runAsync(() -> {
                    try {
                        relay.close();
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, Background.THREADS);
                // The caller is cut off once serve has stopped its loops and its listener.
                assertTrue(endOf(stream), "the caller's stream ended: " + stream.readSoFar());
            } finally {
                rest.countDown(); // the function goes on, writes into a response nobody takes, and fails
                if (closed != null) {
                    closed.get(20, TimeUnit.SECONDS);
                } else {
                    relay.close();
                }
                for (Thread loop : loopsOfThisServe(others)) {
                    loop.join(5_000);
                }
                output = relay.output();
            }
            assertTrue(loopsOfThisServe(others).isEmpty(), "every runtime loop stopped with serve: " + runtimeLoops());
            assertFalse(output.contains("llm-relay runtime:"), output);
        }
    }

    /** Reads the stream to its end: true when it ended (cleanly or cut off) rather than finished with [DONE]. */
    private static boolean endOf(RelayClient.EventStream stream) {
        try {
            for (String event = stream.nextEvent(); event != null; event = stream.nextEvent()) {
                if (event.contains("[DONE]")) {
                    return false;
                }
            }
            return true;
        } catch (Exception | AssertionError e) {
            return !(e instanceof AssertionError a && a.getMessage().startsWith("no complete event"));
        }
    }

    private static List<Thread> loopsOfThisServe(List<Thread> others) {
        return runtimeLoops().stream().filter(thread -> !others.contains(thread)).toList();
    }

    private static List<Thread> runtimeLoops() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(thread -> thread.getName().startsWith("execution-environment-") && thread.isAlive())
                .toList();
    }
}
