package io.llmrelay.upstream.openai;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.llmrelay.upstream.UpstreamException;
import io.llmrelay.upstream.UpstreamRequest;
import io.llmrelay.upstream.UpstreamResponse;
import io.llmrelay.upstream.sse.SseEvent;
import io.llmrelay.upstream.sse.SseReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class OpenAiClientTest {
    private static final String KEY = "sk-test-secret-1234567890";
    private static final byte[] BODY = "{\"model\":\"m\",\"messages\":[],\"stream\":true}".getBytes(StandardCharsets.UTF_8);
    private static final Duration TIMEOUT = Duration.ofSeconds(10);
    private static final OpenAiClient UPSTREAM = new OpenAiClient();

    @Test
    void streamsEventsAsTheyAreWrittenWhileTheServerHoldsTheRest() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            ScriptedServer.startStream(exchange, 200, "text/event-stream");
            ScriptedServer.write(exchange, "data: {\"n\":1}\n\n");
            await(gate);
            ScriptedServer.write(exchange, "data: {\"n\":2}\n\ndata: [DONE]\n\n");
        })) {
            try (UpstreamResponse response = UPSTREAM.send(request(server.baseUrl("/v1/"), KEY, true))) {
                assertEquals(200, response.status());
                assertEquals("text/event-stream", response.header("Content-Type"));
                assertTrue(response.headers().containsKey("content-type"), "header names are lower-case");
                SseReader reader = new SseReader(response.body());
                // Read while the server is still blocked on the gate: only streaming can deliver this.
                assertEquals(new SseEvent(null, "{\"n\":1}", null), reader.next());
                gate.countDown();
                assertEquals("{\"n\":2}", reader.next().data());
                assertEquals("[DONE]", reader.next().data());
                assertNull(reader.next());
            } finally {
                gate.countDown();
            }
        }
    }

    @Test
    void postsTheBodyWithAuthorizationAndOpenAiHeaders() throws Exception {
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            ScriptedServer.startStream(exchange, 200, "text/event-stream");
            ScriptedServer.write(exchange, "data: [DONE]\n\n");
        })) {
            UpstreamRequest request = new UpstreamRequest(server.baseUrl("/v1"), KEY,
                    Map.of("OpenAI-Organization", "org-1"), BODY, true, TIMEOUT, "req-123");
            try (UpstreamResponse response = UPSTREAM.send(request)) {
                response.body().readAllBytes();
            }
            ScriptedServer.Received received = server.received();
            assertEquals("POST", received.method());
            assertEquals("/v1/chat/completions", received.path());
            assertEquals("Bearer " + KEY, received.headers().get("authorization"));
            assertEquals("application/json", received.headers().get("content-type"));
            assertEquals("text/event-stream", received.headers().get("accept"));
            assertEquals("org-1", received.headers().get("openai-organization"));
            assertEquals("req-123", received.headers().get("x-client-request-id"));
            assertArrayEquals(BODY, received.body());
        }
    }

    @Test
    void aNonStreamingCallAcceptsJsonAndAnErrorStatusIsAResponse() throws Exception {
        String error = "{\"error\":{\"message\":\"bad\",\"type\":\"invalid_request_error\",\"param\":null,\"code\":null}}";
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            byte[] bytes = error.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "application/json");
            exchange.getResponseHeaders().set("X-Request-Id", "up-9");
            exchange.sendResponseHeaders(400, bytes.length);
            exchange.getResponseBody().write(bytes);
        })) {
            try (UpstreamResponse response = UPSTREAM.send(request(server.baseUrl(""), null, false))) {
                assertEquals(400, response.status());
                assertFalse(response.isSuccess());
                assertEquals("up-9", response.headers().get("x-request-id"));
                assertEquals(error, new String(response.readBody(1 << 20), StandardCharsets.UTF_8));
            }
            assertEquals("application/json", server.received().headers().get("accept"));
            assertFalse(server.received().headers().containsKey("authorization"), "no key, no Authorization");
            assertEquals("/chat/completions", server.received().path());
        }
    }

    @Test
    void readBodyStopsAtItsLimit() throws Exception {
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            ScriptedServer.startStream(exchange, 500, "text/plain");
            ScriptedServer.write(exchange, "x".repeat(10_000));
        })) {
            try (UpstreamResponse response = UPSTREAM.send(request(server.baseUrl("/v1"), KEY, false))) {
                assertEquals(100, response.readBody(100).length);
            }
        }
    }

    @Test
    void extraHeadersWinOverTheDefaults() throws Exception {
        try (ScriptedServer server = new ScriptedServer(exchange -> exchange.sendResponseHeaders(204, -1))) {
            UpstreamRequest request = new UpstreamRequest(server.baseUrl("/v1"), null,
                    Map.of("api-key", "azure-key", "Accept", "application/x-ndjson"), BODY, true, TIMEOUT, null);
            try (UpstreamResponse response = UPSTREAM.send(request)) {
                assertEquals(204, response.status());
            }
            assertEquals("azure-key", server.received().headers().get("api-key"));
            assertEquals("application/x-ndjson", server.received().headers().get("accept"));
            assertFalse(server.received().headers().containsKey("x-client-request-id"));
        }
    }

    @Test
    void aRefusedConnectionIsAConnectFailureThatDoesNotLeakTheKey() throws Exception {
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> UPSTREAM.send(request(URI.create("http://127.0.0.1:" + port + "/v1"), KEY, true)));
        assertEquals(UpstreamException.Kind.CONNECT, e.kind());
        assertTrue(e.getMessage().contains("127.0.0.1:" + port), e.getMessage());
        assertFalse(e.getMessage().contains(KEY), e.getMessage());
    }

    @Test
    void aValueTheJdkRefusesIsAnUnsendableRequestWhoseMessageHasNeitherTheValueNorTheJdksWords() {
        // The config and key checks keep such values out; this is the net behind them.
        String key = KEY + "\u200b";
        for (UpstreamRequest request : List.of(
                request(URI.create("http://127.0.0.1:9/v1"), key, true),
                new UpstreamRequest(URI.create("http://127.0.0.1:9/v1"), null, Map.of("api-key", key), BODY, true,
                        TIMEOUT, null),
                new UpstreamRequest(URI.create("http://127.0.0.1:9/v1"), null, Map.of("Expect", "100-continue"), BODY,
                        true, TIMEOUT, null))) {
            UpstreamException e = assertThrows(UpstreamException.class, () -> UPSTREAM.send(request));
            assertEquals(UpstreamException.Kind.UNSENDABLE, e.kind());
            assertEquals("the request to upstream http://127.0.0.1:9 could not be built or sent"
                    + " (java.lang.IllegalArgumentException)", e.getMessage());
            assertNull(e.getCause(), "no cause: the JDK's exception quotes the value");
        }
    }

    @Test
    void anUnresolvableHostIsAConnectFailure() {
        UpstreamException e = assertThrows(UpstreamException.class,
                () -> UPSTREAM.send(request(URI.create("http://no-such-host.invalid/v1"), KEY, true)));
        assertEquals(UpstreamException.Kind.CONNECT, e.kind());
        assertTrue(e.getMessage().contains("no-such-host.invalid"), e.getMessage());
    }

    @Test
    void noResponseHeadWithinTheTimeoutIsATimeout() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer(exchange -> await(release))) {
            UpstreamRequest request = new UpstreamRequest(server.baseUrl("/v1"), KEY, Map.of(), BODY, true,
                    Duration.ofMillis(300), "r");
            long start = System.nanoTime();
            UpstreamException e = assertThrows(UpstreamException.class, () -> UPSTREAM.send(request));
            long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertEquals(UpstreamException.Kind.TIMEOUT, e.kind());
            assertTrue(elapsedMs >= 250, "gave up after " + elapsedMs + " ms, before the timeout");
            assertTrue(e.getMessage().contains("300 ms"), e.getMessage());
            assertFalse(e.getMessage().contains(KEY), e.getMessage());
        } finally {
            release.countDown();
        }
    }

    @Test
    void theTimeoutDoesNotApplyOnceTheHeadHasArrived() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            if (exchange.getRequestURI().getPath().startsWith("/warm")) {
                exchange.sendResponseHeaders(204, -1);
                return;
            }
            ScriptedServer.startStream(exchange, 200, "text/event-stream");
            await(gate);
            ScriptedServer.write(exchange, "data: late\n\n");
        })) {
            // The timeout also bounds the connect, which a busy machine can stretch past a short timeout:
            // a first exchange leaves a pooled connection for the one under test.
            try (UpstreamResponse warm = UPSTREAM.send(request(server.baseUrl("/warm/v1"), KEY, false))) {
                assertEquals(204, warm.status());
            }
            UpstreamRequest request = new UpstreamRequest(server.baseUrl("/v1"), KEY, Map.of(), BODY, true,
                    Duration.ofMillis(500), "r");
            try (UpstreamResponse response = UPSTREAM.send(request)) {
                // send() returned, so the head is in. Hold the body for longer than the first-byte timeout before releasing it.
                Thread.sleep(700);
                gate.countDown();
                assertEquals("late", new SseReader(response.body()).next().data());
            } finally {
                gate.countDown();
            }
        }
    }

    @Test
    void closingTheResponseAbortsTheExchangeSoTheServerSeesTheConnectionGo() throws Exception {
        AtomicReference<IOException> serverWriteFailure = new AtomicReference<>();
        CountDownLatch serverSawDisconnect = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            ScriptedServer.startStream(exchange, 200, "text/event-stream");
            String token = "data: {\"choices\":[{\"delta\":{\"content\":\"" + "t".repeat(1000) + "\"}}]}\n\n";
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            try {
                while (System.nanoTime() < deadline) { // an upstream generating until told to stop
                    ScriptedServer.write(exchange, token);
                }
            } catch (IOException e) {
                serverWriteFailure.set(e);
                serverSawDisconnect.countDown();
            }
        })) {
            UpstreamResponse response = UPSTREAM.send(request(server.baseUrl("/v1"), KEY, true));
            assertTrue(new SseReader(response.body()).next().data().contains("ttt"));
            response.close();
            assertTrue(serverSawDisconnect.await(20, TimeUnit.SECONDS),
                    "the server kept writing: closing the response did not abort the exchange");
            assertTrue(serverWriteFailure.get() != null);
        }
    }

    @Test
    void closingFromAnotherThreadUnblocksAReaderWaitingForTheNextToken() throws Exception {
        CountDownLatch gate = new CountDownLatch(1);
        try (ScriptedServer server = new ScriptedServer(exchange -> {
            ScriptedServer.startStream(exchange, 200, "text/event-stream");
            ScriptedServer.write(exchange, "data: first\n\n");
            await(gate);
        })) {
            UpstreamResponse response = UPSTREAM.send(request(server.baseUrl("/v1"), KEY, true));
            SseReader reader = new SseReader(response.body());
            assertEquals("first", reader.next().data());
            AtomicReference<Object> outcome = new AtomicReference<>();
            CountDownLatch readerDone = new CountDownLatch(1);
            Thread readerThread = Thread.ofPlatform().start(() -> {
                try {
                    outcome.set(reader.next());
                } catch (IOException e) {
                    outcome.set(e);
                }
                readerDone.countDown();
            });
            response.close();
            boolean finished = readerDone.await(10, TimeUnit.SECONDS);
            gate.countDown();
            readerThread.join(10_000);
            assertTrue(finished, "a reader blocked in read() was not released by close()");
            assertTrue(outcome.get() == null || outcome.get() instanceof IOException, String.valueOf(outcome.get()));
        } finally {
            gate.countDown();
        }
    }

    @Test
    void joinsTheBaseUrlAndPathWithExactlyOneSlash() {
        assertEquals("https://api.openai.com/v1/chat/completions",
                OpenAiClient.chatCompletionsUri(URI.create("https://api.openai.com/v1")).toString());
        assertEquals("https://api.openai.com/v1/chat/completions",
                OpenAiClient.chatCompletionsUri(URI.create("https://api.openai.com/v1//")).toString());
        assertEquals("http://localhost:11434/chat/completions",
                OpenAiClient.chatCompletionsUri(URI.create("http://localhost:11434")).toString());
        assertEquals("https://x.openai.azure.com/openai/v1/chat/completions?api-version=preview",
                OpenAiClient.chatCompletionsUri(URI.create("https://x.openai.azure.com/openai/v1/?api-version=preview"))
                        .toString());
    }

    @Test
    void aRequestNeverPrintsItsKey() {
        String printed = request(URI.create("https://api.openai.com/v1"), KEY, true).toString();
        assertFalse(printed.contains(KEY), printed);
        assertTrue(printed.contains("***"), printed);
    }

    private static UpstreamRequest request(URI baseUrl, String key, boolean stream) {
        return new UpstreamRequest(baseUrl, key, Map.of(), BODY, stream, TIMEOUT, null);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
