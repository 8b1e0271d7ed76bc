package io.llmrelay.runtime;

import io.llmrelay.testing.Background;

import static io.llmrelay.runtime.RawRuntimeApi.ACCEPTED;
import static io.llmrelay.runtime.RawRuntimeApi.After.CLOSE;
import static io.llmrelay.runtime.RawRuntimeApi.After.KEEP;
import static io.llmrelay.runtime.RawRuntimeApi.After.RESET;
import static io.llmrelay.runtime.RawRuntimeApi.invocation;
import static io.llmrelay.runtime.RawRuntimeApi.status;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The runtime loop against Runtime API replies that are cut short, reset or slow, scripted byte
 * by byte on a raw socket: what the loop does for each (see the table on {@link RuntimeLoop}).
 */
@Timeout(value = 30, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
class RuntimeApiWireFaultTest {
    private static final FunctionEnvironment FUNCTION = new FunctionEnvironment("f", "1", 128, "/g", "s");

    private RawRuntimeApi api;
    private final ByteArrayOutputStream log = new ByteArrayOutputStream();
    private final AtomicInteger invocations = new AtomicInteger();
    private final List<String> events = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        api = RawRuntimeApi.start();
    }

    @AfterEach
    void close() throws Exception {
        api.close();
    }

    /** A loop whose handler records the event and echoes it. */
    private RuntimeLoop loop() {
        return new RuntimeLoop(new RuntimeApiClient(api.address(), "test"), () -> (in, out, ctx) -> {
            invocations.incrementAndGet();
            byte[] event = in.readAllBytes();
            events.add(new String(event, StandardCharsets.UTF_8));
            out.write(event);
        }, FUNCTION, System::currentTimeMillis, new PrintStream(log, true, StandardCharsets.UTF_8));
    }

    private String logText() {
        return log.toString(StandardCharsets.UTF_8);
    }

    private void assertRequest(String method, String pathEnd, int connection) throws InterruptedException {
        RawRuntimeApi.Request request = api.request();
        assertEquals(method, request.method());
        assertTrue(request.path().endsWith(pathEnd), request.path());
        assertEquals(connection, request.connection(), "connection of " + request.path());
    }

    @Test
    void aNextReplyShorterThanItsContentLengthIsAnErrorAndEndsTheLoop() throws Exception {
        api.then(RawRuntimeApi.invocationHead("r1") + "Content-Length: 100\r\n\r\n{\"short\":1}", CLOSE);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(0, invocations.get(), "a cut event must never reach the handler");
        assertTrue(logText().contains("next failed, stopping: java.io.EOFException: Runtime API reply ended after 11"
                + " body bytes of 100 announced"), logText());
    }

    @Test
    void aCutNextReplyOnAKeptAliveConnectionIsNotAskedForAgain() throws Exception {
        api.then(invocation("r1", "\"one\""), KEEP).then(ACCEPTED, KEEP)
                .then(RawRuntimeApi.invocationHead("r2") + "Content-Length: 50\r\n\r\n\"tw", CLOSE);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(List.of("\"one\""), events);
        assertRequest("GET", "/next", 1);
        assertRequest("POST", "/r1/response", 1);
        assertRequest("GET", "/next", 1);
        assertEquals(1, api.connections(), "part of a reply came: the invocation may be out, so no second next");
    }

    @Test
    void aCutChunkedNextReplyIsAnError() throws Exception {
        api.then(RawRuntimeApi.invocationHead("r1") + "Transfer-Encoding: chunked\r\n\r\n10\r\n{\"cut\":", CLOSE);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(0, invocations.get());
        assertTrue(logText().contains("ended after 7 body bytes of 16 announced"), logText());
    }

    @Test
    void aResponseReplyShorterThanItsContentLengthIsAnErrorAndTheNextNextUsesANewConnection() throws Exception {
        api.then(invocation("r1", "{}"), KEEP)
                .then("HTTP/1.1 202 Accepted\r\nContent-Length: 15\r\n\r\n{\"st", CLOSE)
                .then(status(500, "Stop"), KEEP);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertTrue(logText().contains("could not complete the response of r1: java.io.EOFException: Runtime API reply"
                + " ended after 4 body bytes of 15 announced"), logText());
        assertRequest("GET", "/next", 1);
        assertRequest("POST", "/r1/response", 1);
        assertRequest("GET", "/next", 2);
    }

    @Test
    void aMalformedResponseReplyOnAnOpenConnectionMakesTheClientDropIt() throws Exception {
        api.then(invocation("r1", "{}"), KEEP)
                .then("HTTP/1.1 202 Accepted\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", KEEP)
                .then(status(500, "Stop"), KEEP);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertTrue(logText().contains("could not complete the response of r1: java.io.IOException: Runtime API sent"
                + " a malformed chunk size: zz"), logText());
        assertRequest("GET", "/next", 1);
        assertRequest("POST", "/r1/response", 1);
        assertRequest("GET", "/next", 2); // the fake kept connection 1 open: only the client can have left it
    }

    @Test
    void aResetInTheMiddleOfANextReplyEndsTheLoop() throws Exception {
        api.then(invocation("r1", "{}"), KEEP).then(ACCEPTED, KEEP)
                .then("HTTP/1.1 200 OK\r\nLambda-Runtime-Aws-Req", RESET);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(1, invocations.get());
        assertEquals(1, api.connections());
        assertTrue(logText().contains("next failed, stopping: java.net.SocketException"), logText());
    }

    @Test
    void aKeptAliveConnectionLostBeforeAnyReplyByteIsAskedOnceMoreOnAFreshOne() throws Exception {
        api.then(invocation("r1", "\"one\""), KEEP).then(ACCEPTED, KEEP)
                .then("", RESET) // the next is read, then the connection breaks without a byte of reply
                .then(invocation("r2", "\"two\""), KEEP).then(ACCEPTED, KEEP)
                .then(status(500, "Stop"), KEEP);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(List.of("\"one\"", "\"two\""), events);
        assertEquals(2, api.connections());
        assertFalse(logText().contains("r2"), "the fresh try is silent: " + logText());
    }

    @Test
    void aFreshConnectionLostBeforeAnyReplyByteEndsTheLoop() throws Exception {
        api.then("", CLOSE);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(1, api.connections());
        assertTrue(logText().contains("next failed, stopping: io.llmrelay.runtime.http.NoReplyException:"
                + " Runtime API closed the connection before a reply"), logText());
    }

    @Test
    void aResetInTheMiddleOfAResponseReplyDropsTheConnectionAndTheLoopGoesOn() throws Exception {
        api.then(invocation("r1", "{}"), KEEP).then("HTTP/1.1 202 Acc", RESET)
                .then(invocation("r2", "{}"), KEEP).then(ACCEPTED, KEEP).then(status(500, "Stop"), KEEP);
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, loop().run());
        assertEquals(2, invocations.get());
        assertTrue(logText().contains("could not complete the response of r1: java.net.SocketException"), logText());
        assertEquals(2, api.connections());
    }

    /**
     * {@code next} is a long poll without a timeout: a reply held back, then dribbled a byte per
     * write, is waited for. The bounded wait below asserts that nothing happens meanwhile.
     */
    @Test
    void aSlowNextReplyIsWaitedFor() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        byte[] slow = invocation("r1", "\"slow\"").getBytes(StandardCharsets.UTF_8);
        api.then(new RawRuntimeApi.Reply(slow, KEEP, gate, true))
                .then(new RawRuntimeApi.Reply(ACCEPTED.getBytes(StandardCharsets.UTF_8), KEEP, null, true))
                .then(status(500, "Stop"), KEEP);
        RuntimeLoop loop = loop();
        CompletableFuture<RuntimeLoop.Exit> exit = CompletableFuture.supplyAsync(loop::run, Background.THREADS);
        assertRequest("GET", "/next", 1);
        // While the reply is held back the loop stays in next: no timeout, no second try, no line.
        assertThrows(TimeoutException.class, () -> exit.get(300, TimeUnit.MILLISECONDS));
        assertEquals(0, api.pendingRequests());
        assertEquals("", logText());
        gate.countDown();
        assertEquals(RuntimeLoop.Exit.RUNTIME_API_FAILED, exit.get(10, TimeUnit.SECONDS));
        assertEquals(List.of("\"slow\""), events);
        assertEquals(1, api.connections());
    }

    /**
     * Once asked to stop, a loop logs nothing (its owner is shutting down): here the Runtime API
     * refuses the response of the invocation that was running, which a loop not asked to stop
     * logs (RuntimeApiStatusTest), and the loop ends without asking for another.
     */
    @Test
    void aLoopAskedToStopSaysNothingOfTheRefusedResponseOfItsLastInvocation() throws Exception {
        CountDownLatch running = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        api.then(invocation("r1", "{}"), KEEP).then(status(500, "Gone"), KEEP);
        RuntimeLoop loop = new RuntimeLoop(new RuntimeApiClient(api.address(), "test"), () -> (in, out, ctx) -> {
            running.countDown();
            try {
                assertTrue(release.await(10, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
                throw new java.io.IOException(e);
            }
            out.write("late".getBytes(StandardCharsets.UTF_8));
        }, FUNCTION, System::currentTimeMillis, new PrintStream(log, true, StandardCharsets.UTF_8));
        CompletableFuture<RuntimeLoop.Exit> exit = CompletableFuture.supplyAsync(loop::run, Background.THREADS);
        assertTrue(running.await(10, TimeUnit.SECONDS));
        loop.stop();
        release.countDown();
        assertEquals(RuntimeLoop.Exit.STOPPED, exit.get(10, TimeUnit.SECONDS));
        assertRequest("GET", "/next", 1);
        RawRuntimeApi.Request response = api.request();
        assertTrue(response.path().endsWith("/r1/response"), response.path());
        assertEquals("late", response.bodyText(), "the invocation was completed, and refused");
        assertEquals(0, api.pendingRequests(), "no next after the stop");
        assertEquals("", logText());
    }

    @Test
    void aClientClosedFromAnotherThreadBreaksOffItsNextAndNeverConnectsAgain() throws Exception {
        RuntimeApiClient client = new RuntimeApiClient(api.address(), "test");
        CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
            try {
                client.next();
                return null;
            } catch (Throwable t) {
                return t;
            }
        }, Background.THREADS);
        assertRequest("GET", "/next", 1); // the fake has nothing scripted: the next waits
        client.close();
        Throwable thrown = failure.get(10, TimeUnit.SECONDS);
        assertTrue(thrown instanceof java.io.IOException, String.valueOf(thrown));
        assertEquals(1, api.connections(), "a closed client does not reconnect");
        assertTrue(assertThrows(java.io.IOException.class, client::next).getMessage().contains("closed"));
    }
}
