package io.llmrelay.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.relay.attempt.Pause;
import io.llmrelay.testing.FakeUpstream;
import io.llmrelay.testing.FakeUpstream.Chunks;
import io.llmrelay.testing.FakeUpstream.Script;
import io.llmrelay.testing.RawHttpCaller;
import io.llmrelay.testing.RelayUnderTest;
import io.llmrelay.testing.ServedRelay;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * serve never strands an invocation, through the real runtime loop and relay with one execution
 * environment: an invocation whose caller is gone (answered 504 at its deadline, or hung up while
 * it waited in the queue) is dropped, never delivered late to a function that would then work for
 * nobody (with no deadline at all, and blocked for good once nobody reads its answer); and an
 * environment that dies is replaced, so the next caller is served.
 *
 * <p>The one environment is kept busy by the relay's wait between upstream attempts, which this
 * test holds on a gate (the upstream answers 503 first).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ServeNeverStrandsTest {
    private static final long TIMEOUT_MS = 1_000;
    private static final Duration WAIT = Duration.ofSeconds(10);
    private static final HeldPause pause = new HeldPause();

    @RegisterExtension
    static final ServedRelay served = ServedRelay.with(upstream -> RelayUnderTest.config("\"deadlineMarginMs\": 100",
                    RelayUnderTest.route("main", upstream.baseUrl(), "[\"gpt-4o-mini\"]", "\"default\": true")))
            .serving(serve -> serve.concurrency(1).timeoutMs(TIMEOUT_MS).customize(setup -> setup.withPause(pause)));

    /** The relay's wait between attempts: returns at once, or holds until released, or kills its environment. */
    static final class HeldPause implements Pause {
        private volatile CountDownLatch entered = new CountDownLatch(1);
        private volatile CountDownLatch release;
        private volatile boolean kill;

        void holdNext() {
            entered = new CountDownLatch(1);
            release = new CountDownLatch(1);
        }

        void killNext() {
            kill = true;
        }

        boolean awaitHeld() throws InterruptedException {
            return entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
        }

        void releaseAll() {
            CountDownLatch gate = release;
            release = null;
            if (gate != null) {
                gate.countDown();
            }
        }

        @Override
        public void pause(Duration duration) throws InterruptedException {
            if (kill) {
                kill = false;
                throw new EnvironmentKilled();
            }
            CountDownLatch gate = release;
            if (gate != null) {
                entered.countDown();
                gate.await(30, TimeUnit.SECONDS);
            }
        }
    }

    /** What ends an execution environment: an Error, which the runtime loop reports and lets through. */
    static final class EnvironmentKilled extends Error {
        EnvironmentKilled() {
            super("test: this execution environment dies");
        }
    }

    private static String chat(String content) {
        return """
                {"model": "gpt-4o-mini", "stream": true, "messages": [{"role": "user", "content": "%s"}]}""".formatted(content);
    }

    private static String contentOf(FakeUpstream.Recorded request) {
        return request.body().path("messages").path(0).path("content").asText();
    }

    @BeforeEach
    void answerByContent() {
        pause.releaseAll();
        // "busy" and "die" fail first so that the relay waits (the held pause); "stale" would be a
        // long stream (more chunks than serve's pipe holds) if it were ever asked for.
        IntFunction<String> token = i -> Chunks.content(" t" + i);
        served.upstream().respondWith(request -> switch (contentOf(request)) {
            case "busy", "die" -> Script.json(503, Chunks.error("overloaded", "server_error", null));
            case "stale", "hung-up" -> Script.sse(200).chunksUntilClosed(token, Duration.ZERO, 400).done();
            default -> Script.sse(200).chunk(Chunks.role()).chunk(Chunks.content("ok")).chunk(Chunks.finish("stop")).done();
        });
    }

    @Test
    void anInvocationWhoseCallerGot504IsNeverDeliveredAndTheEnvironmentServesTheNextCaller() throws Exception {
        pause.holdNext();
        CompletableFuture<HttpResponse<String>> busy = served.client().sendAsync(served.client().chat(chat("busy")));
        assertTrue(pause.awaitHeld(), "the one environment is busy");

        HttpResponse<String> stale = served.client().postChat(chat("stale"));
        assertEquals(504, stale.statusCode(), "queued past its deadline: " + stale.body());
        pause.releaseAll();
        assertEquals(504, busy.get(WAIT.toMillis(), TimeUnit.MILLISECONDS).statusCode());

        HttpResponse<String> next = served.client().postChat(chat("next"));
        assertEquals(200, next.statusCode(), next.body());
        assertFalse(upstreamSaw("stale"), "the invocation answered 504 was never run");
    }

    @Test
    void aQueuedInvocationWhoseCallerHungUpIsNeverDelivered() throws Exception {
        pause.holdNext();
        CompletableFuture<HttpResponse<String>> busy = served.client().sendAsync(served.client().chat(chat("busy")));
        assertTrue(pause.awaitHeld(), "the one environment is busy");

        try (RawHttpCaller caller = new RawHttpCaller(served.relay().url())) {
            caller.send(RawHttpCaller.chatRequest("/v1/chat/completions", chat("hung-up")));
            // Closing the sending side: it arrives after the request, so serve surely queued it first.
            caller.shutdownOutput();
            assertTrue(served.relay().awaitOutput("the client went away before the function answered", WAIT),
                    served.relay().output());
        }
        pause.releaseAll();
        busy.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

        HttpResponse<String> next = served.client().postChat(chat("next"));
        assertEquals(200, next.statusCode(), next.body());
        assertFalse(upstreamSaw("hung-up"), "the invocation whose caller hung up was never run");
    }

    @Test
    void anEnvironmentThatDiesIsReplacedAndTheNextCallerIsServed() throws Exception {
        pause.killNext();
        HttpResponse<String> died = served.client().postChat(chat("die"));
        assertEquals(502, died.statusCode(), "the function's error, as a Function URL reports it: " + died.body());

        HttpResponse<String> next = served.client().postChat(chat("next"));
        assertEquals(200, next.statusCode(), "a new environment took the next invocation: " + next.body());
        // The runtime loop ends on an Error (as the process would on Lambda) and names it; serve says the environment went.
        assertTrue(served.relay().awaitOutput("stopping after " + EnvironmentKilled.class.getName(), WAIT),
                "the runtime said why the environment went: " + served.relay().output());
        assertTrue(served.relay().awaitOutput("stopped (its runtime loop ended: FATAL_ERROR)", WAIT),
                "serve said the environment went: " + served.relay().output());
    }

    private static boolean upstreamSaw(String content) throws InterruptedException {
        boolean seen = false;
        while (served.upstream().requestCount() > 0) {
            seen |= contentOf(served.upstream().nextRequest()).equals(content);
        }
        return seen;
    }
}
